import numpy as np
import pandas as pd
import pytest
from statsmodels.datasets import co2

from assay.errors import InvalidArgument
from assay.preprocess.interpolate import (
    check_floating,
    check_interpolate_kwargs,
    interpolate_array,
    interpolate_frame,
    interpolate_without_leakage,
)


@pytest.fixture(scope="module")
def series():
    frame = co2.load_pandas().data.reset_index(drop=True).iloc[:400].copy()
    return frame.interpolate(method="linear", limit_direction="both")


def with_gaps(frame, rows):
    gappy = frame.copy()
    gappy.iloc[rows, 0] = np.nan
    return gappy


def test_defaults_fill_every_gap_closely(series):
    gappy = with_gaps(series, [0, 10, 11, 50, 200, 399])
    filled = interpolate_frame(gappy, check_interpolate_kwargs(None))
    assert not filled.isna().any().any()  # ends too (limit_direction='both')
    np.testing.assert_allclose(filled["co2"][1:-1], series["co2"][1:-1], atol=2.0)


def test_training_rows_never_see_other_splits(series):
    gappy = with_gaps(series, [5, 150, 260, 390])
    train, test = np.arange(0, 300), np.arange(300, 400)
    kwargs = check_interpolate_kwargs({"method": "linear"})
    done = interpolate_without_leakage(gappy, train, {"test": test}, kwargs)
    pd.testing.assert_frame_equal(done["train"], interpolate_frame(gappy.iloc[train], kwargs))
    changed = gappy.copy()
    changed.iloc[test, 0] += 100.0  # whatever the test split holds...
    again = interpolate_without_leakage(changed, train, {"test": test}, kwargs)
    pd.testing.assert_frame_equal(again["train"], done["train"])  # ...train is the same
    assert not done["test"].isna().any().any() and len(done["test"]) == len(test)


def test_sequences_and_images_are_interpolated_one_sample_at_a_time():
    sequences = np.random.default_rng(0).normal(size=(3, 20, 2))
    sequences[1, 5, 0] = np.nan
    filled = interpolate_array(sequences, {"method": "linear", "limit_direction": "both"})
    assert not np.isnan(filled).any()
    np.testing.assert_allclose(filled[0], sequences[0])
    np.testing.assert_allclose(filled[1, 5, 0], (sequences[1, 4, 0] + sequences[1, 6, 0]) / 2)
    images = np.ones((2, 3, 4, 4))
    images[0, 2, 1, 1] = np.nan
    assert not np.isnan(interpolate_array(images, {"method": "linear"})).any()


def test_non_float_columns_and_bad_kwargs_are_errors():
    frame = pd.DataFrame({"a": [1.0, np.nan], "b": ["x", "y"]})
    with pytest.raises(InvalidArgument, match="column 'b'"):
        check_floating(frame, ["a", "b"])
    with pytest.raises(InvalidArgument, match="colour"):
        check_interpolate_kwargs({"colour": "red"})
