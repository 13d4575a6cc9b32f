"""Interpolaters, coders, shaper and window as users record them, applied by preprocess()."""

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_breast_cancer, load_digits, load_iris
from sklearn.preprocessing import Normalizer, OneHotEncoder, StandardScaler
from statsmodels.datasets import co2

from assay.errors import InvalidArgument
from assay.orm import (
    Dataset,
    Feature,
    FeatureCoder,
    FeatureInterpolater,
    FeatureShaper,
    Label,
    LabelCoder,
    LabelInterpolater,
    Splitset,
    Window,
)


def co2_frame():
    frame = co2.load_pandas().data.reset_index(drop=True).iloc[:300].copy()
    frame = frame.interpolate(method="linear", limit_direction="both")
    frame["week"] = np.arange(len(frame), dtype=np.float64)
    return frame


def test_feature_interpolation_fills_gaps_without_leakage(capsys):
    frame = co2_frame()
    truth = frame["co2"].copy()
    frame.loc[[20, 21, 150, 260], "co2"] = np.nan
    feature = Feature.from_dataset(Dataset.Tabular.from_df(frame).id)
    interpolater = FeatureInterpolater.from_feature(
        feature.id, interpolate_kwargs={"method": "linear"}, columns=["co2"]
    )
    assert interpolater.matching_columns == ["co2"] and interpolater.leftover_columns == ["week"]
    assert interpolater.original_filter == {"include": True, "dtypes": None, "columns": ["co2"]}
    assert "matched 1 column(s)" in capsys.readouterr().out
    assert feature.featureinterpolaters[0].id == interpolater.id
    samples = {"train": np.arange(0, 200), "test": np.arange(200, 300)}
    done = feature.preprocess(samples)
    assert not np.isnan(done.arrays["train"]).any() and not np.isnan(done.arrays["test"]).any()
    np.testing.assert_allclose(
        done.arrays["train"][[20, 21, 150], 0], truth[[20, 21, 150]], atol=1.5
    )
    np.testing.assert_allclose(done.arrays["test"][60, 0], truth[260], atol=1.5)
    with pytest.raises(InvalidArgument, match="already covered"):
        FeatureInterpolater.from_feature(feature.id, columns=["co2"], verbose=False)


def test_label_interpolation():
    frame = co2_frame()
    frame.loc[[5, 120], "co2"] = np.nan
    dataset = Dataset.Tabular.from_df(frame)
    label = Label.from_dataset(dataset.id, columns=["co2"])
    LabelInterpolater.from_label(label.id, interpolate_kwargs={"method": "linear"})
    assert label.labelinterpolaters[0].matching_columns == ["co2"]
    done = label.preprocess({"train": np.arange(0, 200), "test": np.arange(200, 300)})
    assert not np.isnan(done.arrays["train"]).any()
    with pytest.raises(InvalidArgument, match="already has LabelInterpolater"):
        LabelInterpolater.from_label(label.id)


def test_interpolating_non_float_columns_is_an_error():
    frame = load_iris(as_frame=True).frame
    dataset = Dataset.Tabular.from_df(frame)
    label = Label.from_dataset(dataset.id, columns=["target"])
    with pytest.raises(InvalidArgument, match="column 'target' is int64"):
        LabelInterpolater.from_label(label.id)
    feature = Feature.from_dataset(dataset.id)
    with pytest.raises(InvalidArgument, match="column 'target'"):
        FeatureInterpolater.from_feature(feature.id, columns=["target"], verbose=False)
    assert feature.featureinterpolaters == [] and label.labelinterpolaters == []


def test_the_default_interpolater_takes_the_floating_columns_and_leaves_text_alone():
    frame = co2_frame().iloc[:60].copy()
    frame["plan"] = np.where(np.arange(60) % 2, "basic", "pro")
    frame["visits"] = np.arange(60)
    frame.loc[[10, 40], "co2"] = np.nan
    feature = Feature.from_dataset(Dataset.Tabular.from_df(frame).id)
    interpolater = FeatureInterpolater.from_feature(
        feature.id, interpolate_kwargs={"method": "linear"}, verbose=False
    )
    assert interpolater.matching_columns == ["co2", "week"]
    assert interpolater.leftover_columns == ["plan", "visits"]
    done = feature.preprocess({"train": np.arange(0, 30), "test": np.arange(30, 60)})
    co2_at = feature.columns.index("co2")
    filled = np.concatenate([done.arrays["train"], done.arrays["test"]])
    assert not pd.isna(filled[:, co2_at]).any()
    np.testing.assert_array_equal(filled[:, feature.columns.index("plan")], frame["plan"])


@pytest.mark.parametrize("kwargs", [{"method": "splinee"}, {"method": "polynomial", "order": None}])
def test_an_interpolation_pandas_refuses_is_refused_when_the_row_is_made(kwargs):
    frame = co2_frame().iloc[:60].copy()
    frame.loc[[10, 40], "co2"] = np.nan
    dataset = Dataset.Tabular.from_df(frame)
    feature = Feature.from_dataset(dataset.id, include_columns=["week"])
    label = Label.from_dataset(dataset.id, columns=["co2"])
    with pytest.raises(InvalidArgument, match=r"interpolate_kwargs.*refuses"):
        FeatureInterpolater.from_feature(feature.id, interpolate_kwargs=kwargs, verbose=False)
    with pytest.raises(InvalidArgument, match=r"interpolate_kwargs.*refuses"):
        LabelInterpolater.from_label(label.id, interpolate_kwargs=kwargs)
    assert feature.featureinterpolaters == [] and label.labelinterpolaters == []


def test_chained_coders_by_dtype_and_column(backend):
    frame = load_breast_cancer(as_frame=True).frame.iloc[:, :4].copy()
    frame["size"] = np.where(frame["mean radius"] > 14, "large", "small")
    feature = Feature.from_dataset(Dataset.Tabular.from_df(frame).id)
    scaler = FeatureCoder.from_feature(
        feature.id, StandardScaler(), dtypes=["float64"], verbose=False
    )
    onehot = FeatureCoder.from_feature(feature.id, OneHotEncoder(), columns=["size"], verbose=False)
    assert (scaler.idx, onehot.idx) == (0, 1)
    assert scaler.matching_columns == list(frame.columns[:4]) and scaler.only_fit_train
    assert onehot.is_categorical and not onehot.only_fit_train
    assert onehot.encoded_column_names == ["size_large", "size_small"]
    assert feature.encoded_column_names() == [*frame.columns[:4], "size_large", "size_small"]
    with pytest.raises(InvalidArgument, match="already covered"):
        FeatureCoder.from_feature(
            feature.id, StandardScaler(), columns=["mean radius"], verbose=False
        )
    train, test = np.arange(0, 400), np.arange(400, 569)
    done = feature.preprocess({"train": train, "test": test})
    assert done.arrays["train"].shape == (400, 6)
    np.testing.assert_allclose(done.arrays["train"][:, :4].mean(axis=0), 0, atol=1e-9)
    assert np.abs(done.arrays["test"][:, :4].mean(axis=0)).max() > 0.01  # fitted on train only
    np.testing.assert_array_equal(done.arrays["test"][:, 4:].sum(axis=1), 1)


def test_encoder_arguments_are_checked_and_corrected(capsys):
    frame = load_iris(as_frame=True).frame
    dataset = Dataset.Tabular.from_df(frame)
    feature = Feature.from_dataset(dataset.id, exclude_columns=["target"])
    with pytest.raises(InvalidArgument, match="instance"):
        FeatureCoder.from_feature(feature.id, StandardScaler, verbose=False)
    with pytest.raises(InvalidArgument, match="matches none"):
        FeatureCoder.from_feature(feature.id, StandardScaler(), dtypes=["object"], verbose=False)
    FeatureCoder.from_feature(feature.id, StandardScaler(copy=False))
    assert "copy=False changed to True" in capsys.readouterr().out
    label = Label.from_dataset(dataset.id, columns=["target"])
    with pytest.raises(InvalidArgument, match="inverse_transform"):
        LabelCoder.from_label(label.id, Normalizer())
    coder = LabelCoder.from_label(label.id, OneHotEncoder(sparse_output=True))
    assert coder.is_categorical and coder.sklearn_preprocess.sparse_output is False
    assert label.labelcoder.id == coder.id


def test_digits_as_images_reshaped_and_as_sequences_interpolated():
    digits = load_digits()
    images = Dataset.Image.from_numpy(digits.images[:, None, :, :].astype("float64"))
    feature = Feature.from_dataset(images.id)
    shaper = FeatureShaper.from_feature(feature.id, (0, 2, 3))
    assert shaper.column_position == 2 and feature.featureshapers[0].id == shaper.id
    done = feature.preprocess({"train": np.arange(100)})
    assert done.arrays["train"].shape == (100, 8, 8)
    with pytest.raises(InvalidArgument, match="out of range"):
        FeatureShaper.from_feature(Feature.from_dataset(images.id).id, (0, 5))
    with pytest.raises(InvalidArgument, match="holds"):
        FeatureShaper.from_feature(Feature.from_dataset(images.id).id, (0, 2))

    sequences = digits.images.astype("float64").copy()
    sequences[3, 4, 2] = np.nan
    dataset = Dataset.Sequence.from_numpy(sequences)
    feature = Feature.from_dataset(dataset.id)
    FeatureInterpolater.from_feature(
        feature.id, interpolate_kwargs={"method": "linear"}, verbose=False
    )
    FeatureCoder.from_feature(feature.id, StandardScaler(), verbose=False)
    done = feature.preprocess({"train": np.arange(1000), "test": np.arange(1000, 1797)})
    assert done.arrays["train"].shape == (1000, 8, 8) and not np.isnan(done.arrays["train"]).any()
    expected = (digits.images[3, 3, 2] + digits.images[3, 5, 2]) / 2
    scaler = done.fitted[0]
    restored = done.arrays["train"][3, 4, 2] * scaler.scale_[2] + scaler.mean_[2]
    assert restored == pytest.approx(expected)


def test_windows_with_an_encoder_and_bad_windows(backend):
    frame = co2_frame()
    feature = Feature.from_dataset(Dataset.Tabular.from_df(frame).id)
    FeatureCoder.from_feature(feature.id, StandardScaler(), verbose=False)
    with pytest.raises(InvalidArgument, match="more than the series"):
        Window.from_feature(feature.id, size_window=290, size_shift=20)
    window = Window.from_feature(feature.id, size_window=28, size_shift=14)
    assert window.window_count == (300 - 14 - 28) // 14 + 1
    assert feature.window.id == window.id
    samples = {"train": np.arange(0, 12), "test": np.arange(12, window.window_count)}
    done = feature.preprocess(samples)
    assert done.arrays["train"].shape == (12, 28, 2) and done.shifted["train"].shape == (12, 14, 2)
    train_rows = np.unique(
        np.concatenate(
            [window.unshifted_indices()[:12].ravel(), window.shifted_indices()[:12].ravel()]
        )
    )
    scaler = StandardScaler().fit(frame.to_numpy()[train_rows])
    np.testing.assert_allclose(
        done.arrays["test"][0], scaler.transform(frame.to_numpy()[window.samples_unshifted[12]])
    )
    dataset = Dataset.Tabular.from_df(frame)
    label = Label.from_dataset(dataset.id, columns=["co2"])
    windowed = Feature.from_dataset(dataset.id, include_columns=["week"])
    Window.from_feature(windowed.id, size_window=28, size_shift=14)
    with pytest.raises(InvalidArgument, match="Window"):
        Splitset.make([windowed.id], label.id)
    images = Dataset.Image.from_numpy(np.zeros((30, 1, 2, 2)))
    with pytest.raises(InvalidArgument, match="more than the series"):  # 30 images
        Window.from_feature(Feature.from_dataset(images.id).id, size_window=25, size_shift=6)


def test_no_leakage_the_training_split_is_centred_and_the_test_split_is_not():
    frame = load_iris(as_frame=True).frame
    dataset = Dataset.Tabular.from_df(frame)
    feature = Feature.from_dataset(dataset.id, exclude_columns=["target"])
    FeatureCoder.from_feature(feature.id, StandardScaler(), verbose=False)
    label = Label.from_dataset(dataset.id, columns=["target"])
    splitset = Splitset.make([feature.id], label.id, size_test=0.3)
    train = splitset.fetch_cache("train", "features")
    test = splitset.fetch_cache("test", "features")
    np.testing.assert_allclose(train.mean(axis=0), 0, atol=1e-9)
    assert not np.allclose(test.mean(axis=0), 0, atol=1e-3)
    assert isinstance(pd.DataFrame(train), pd.DataFrame)


def test_imputers_are_coders_that_run_first_and_may_share_columns():
    from sklearn.impute import SimpleImputer

    frame = pd.DataFrame(
        {
            "plan": ["basic", "pro", None, "pro", "basic", "pro"] * 5,
            "spend": [10.0, np.nan, 30.0, 40.0, np.nan, 60.0] * 5,
        }
    )
    feature = Feature.from_dataset(Dataset.Tabular.from_df(frame).id)
    fill_text = FeatureCoder.from_feature(
        feature.id, SimpleImputer(strategy="most_frequent"), columns=["plan"], verbose=False
    )
    onehot = FeatureCoder.from_feature(feature.id, OneHotEncoder(), columns=["plan"], verbose=False)
    assert onehot.encoded_column_names == ["plan_basic", "plan_pro"]  # tried on filled values
    fill_number = FeatureCoder.from_feature(
        feature.id, SimpleImputer(), include=False, dtypes="str", verbose=False
    )
    assert fill_number.matching_columns == ["spend"] and fill_number.is_imputer
    scaler = FeatureCoder.from_feature(
        feature.id, StandardScaler(), columns=["spend"], verbose=False
    )
    order = [row.id for row in feature.featurecoders]
    assert order == [fill_text.id, fill_number.id, onehot.id, scaler.id]
    assert feature.encoded_column_names() == ["plan_basic", "plan_pro", "spend"]
    done = feature.preprocess({"train": np.arange(18), "test": np.arange(18, 30)})
    assert not np.isnan(done.arrays["test"].astype(float)).any()
    assert done.fitted[3].n_samples_seen_ == 18  # the scaler saw filled values only
    late = Feature.from_dataset(feature.dataset_id)
    FeatureCoder.from_feature(late.id, StandardScaler(), columns=["spend"], verbose=False)
    with pytest.raises(InvalidArgument, match="imputers come first"):
        FeatureCoder.from_feature(late.id, SimpleImputer(), columns=["spend"], verbose=False)
    assert len(late.featurecoders) == 1


def test_a_label_takes_no_imputer():
    from sklearn.impute import SimpleImputer

    frame = load_iris(as_frame=True).frame
    label = Label.from_dataset(Dataset.Tabular.from_df(frame).id, columns=["target"])
    with pytest.raises(InvalidArgument, match="Drop the rows whose target is missing"):
        LabelCoder.from_label(label.id, SimpleImputer())
    assert label.labelcoders == []
