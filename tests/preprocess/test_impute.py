import numpy as np
import pandas as pd
import pytest
from sklearn.impute import KNNImputer, MissingIndicator, SimpleImputer
from sklearn.preprocessing import FunctionTransformer, StandardScaler

from assay.errors import InvalidArgument
from assay.preprocess.encode import check_encoder, fit_encoder
from assay.preprocess.impute import (
    Imputer,
    as_imputer,
    check_keeps_columns,
    gap_counts,
    is_imputer,
)
from assay.preprocess.pipeline import EncodeStep, Steps, encoded_columns, preprocess


def gappy(count: int = 40) -> pd.DataFrame:
    rng = np.random.default_rng(1)
    frame = pd.DataFrame({"a": rng.normal(10, 2, count), "b": rng.normal(0, 1, count)})
    frame.loc[[1, 7, 30, 33], "a"] = np.nan
    frame.loc[[2, 31], "b"] = np.nan
    return frame


def steps_with(imputer) -> Steps:
    return Steps(
        columns=["a", "b"],
        coders=[
            EncodeStep(imputer, "2D_multiColumn", ["a", "b"], is_imputer=True),
            EncodeStep(StandardScaler(), "2D_multiColumn", ["a", "b"]),
        ],
    )


def test_imputers_learn_from_training_rows_and_run_before_the_other_coders():
    frame = gappy()
    train, test = np.arange(0, 28), np.arange(28, 40)
    steps = steps_with(SimpleImputer(strategy="median"))
    done = preprocess(frame, {"train": train, "test": test}, steps, train_key="train")
    imputer, scaler = done.fitted
    medians = frame.iloc[train].median().to_numpy()
    np.testing.assert_allclose(imputer.statistics_, medians)  # the training rows alone
    assert scaler.n_samples_seen_ == len(train)  # an int: the scaler saw no gap
    filled = frame.iloc[train].fillna(dict(zip(["a", "b"], medians, strict=True)))
    np.testing.assert_allclose(scaler.mean_, filled.mean().to_numpy())
    for split in ("train", "test"):
        assert not np.isnan(done.arrays[split]).any()
    row = frame.iloc[30].fillna({"a": medians[0]}).to_numpy()  # test row 30: 'a' is a gap
    np.testing.assert_allclose(done.arrays["test"][2], (row - scaler.mean_) / scaler.scale_)
    assert encoded_columns(steps, [["a", "b"], ["a", "b"]]) == ["a", "b"]


def test_each_sample_is_filled_on_its_own():
    frame = gappy()
    steps = steps_with(KNNImputer(n_neighbors=3))
    done = preprocess(frame, {"train": np.arange(28)}, steps, train_key="train")
    rows = np.arange(28, 40)
    together = preprocess(frame, {"new": rows}, steps, train_key=None, fitted=done.fitted)
    for at, row in enumerate(rows):
        alone = preprocess(frame, {"new": [row]}, steps, train_key=None, fitted=done.fitted)
        np.testing.assert_array_equal(alone.arrays["new"][0], together.arrays["new"][at])


def test_what_counts_as_an_imputer():
    assert is_imputer(SimpleImputer()) and is_imputer(KNNImputer())
    assert not is_imputer(MissingIndicator()) and not is_imputer(StandardScaler())
    simple = SimpleImputer()
    assert as_imputer(simple) is simple
    wrapped = as_imputer(FunctionTransformer(np.nan_to_num))
    assert isinstance(wrapped, Imputer) and is_imputer(wrapped)
    fitted = wrapped.fit(gappy().to_numpy())
    assert not np.isnan(fitted.transform(gappy().to_numpy())).any()
    for bad in (SimpleImputer, "median", np.nanmedian):
        with pytest.raises(InvalidArgument, match="imputer must be an instance"):
            as_imputer(bad)


def test_an_imputer_keeps_its_columns():
    encoder, corrections = check_encoder(SimpleImputer())
    assert encoder.get_params()["keep_empty_features"] is True and corrections
    block = gappy().to_numpy()
    fitted, dimension = fit_encoder(SimpleImputer(add_indicator=True), block)
    with pytest.raises(InvalidArgument, match=r"turned 2 column\(s\) \['a', 'b'\] into 4"):
        check_keeps_columns(fitted, dimension, block, ["a", "b"])


def test_gap_counts_of_frames_and_arrays():
    frame = gappy().assign(c="x")
    assert gap_counts(frame, ["a", "b", "c"]) == {"a": 4, "b": 2}
    array = np.zeros((3, 4, 2))
    array[1, 2, 1] = array[2, 0, 1] = np.nan
    assert gap_counts(array, ["x", "y"]) == {"y": 2}
    assert gap_counts(np.zeros((3, 2), dtype=int), ["x", "y"]) == {}
