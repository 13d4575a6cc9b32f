import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_breast_cancer, load_diabetes, load_digits, load_iris
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from assay.errors import InvalidArgument
from assay.orm import Dataset, Feature, FeatureCoder, Label, LabelCoder, Splitset, Window


def tabular(loader, name):
    frame = loader(as_frame=True).frame
    dataset = Dataset.Tabular.from_df(frame, name=name)
    feature = Feature.from_dataset(dataset.id, exclude_columns=["target"])
    label = Label.from_dataset(dataset.id, columns=["target"])
    return frame, feature, label


def assert_stratified(target: np.ndarray, samples: dict[str, list[int]]):
    total = len(target)
    for split, rows in samples.items():
        for value in np.unique(target):
            expected = (target == value).sum() * len(rows) / total
            actual = (target[rows] == value).sum()
            assert abs(actual - expected) <= 1.0 + 1e-9, (split, value, actual, expected)


@pytest.mark.parametrize("loader", [load_iris, load_breast_cancer])
def test_classes_are_stratified_across_splits(loader):
    frame, feature, label = tabular(loader, "data")
    splitset = Splitset.make([feature.id], label.id, size_test=0.2, size_validation=0.2)
    assert set(splitset.samples) == {"train", "validation", "test"}
    assert_stratified(frame["target"].to_numpy(), splitset.samples)
    every = sorted(row for rows in splitset.samples.values() for row in rows)
    assert every == list(range(len(frame)))
    assert splitset.supervision == "supervised" and splitset.has_validation
    assert (splitset.key_train, splitset.key_evaluation, splitset.key_test) == (
        "train",
        "validation",
        "test",
    )
    assert splitset.sizes["test"]["count"] == round(0.2 * len(frame))
    assert splitset.label.id == label.id and splitset.features[0].id == feature.id
    assert feature.splitsets[0].id == splitset.id and label.splitsets[0].id == splitset.id


def test_regression_labels_are_stratified_by_quantile_bins():
    frame, feature, label = tabular(load_diabetes, "diabetes")
    splitset = Splitset.make([feature.id], label.id, size_test=0.25, bin_count=4)
    bins = pd.qcut(frame["target"], 4, labels=False).to_numpy()
    assert_stratified(bins, splitset.samples)
    assert splitset.bin_count == 4 and splitset.key_evaluation == "test"


def test_folds_cover_the_train_split_without_overlap():
    _frame, feature, label = tabular(load_iris, "iris")
    splitset = Splitset.make([feature.id], label.id, size_test=0.2, fold_count=4)
    folds = splitset.folds
    assert [fold.idx for fold in folds] == [0, 1, 2, 3]
    train = set(splitset.samples["train"])
    held = [row for fold in folds for row in fold.samples["fold_validation"]]
    assert sorted(held) == sorted(train)
    for fold in folds:
        assert (
            set(fold.samples["folds_train_combined"]) | set(fold.samples["fold_validation"])
            == train
        )
        assert not set(fold.samples["folds_train_combined"]) & set(fold.samples["fold_validation"])
        assert fold.samples["test"] == splitset.samples["test"]
    assert splitset.key_train == "folds_train_combined"
    assert splitset.key_evaluation == "fold_validation"


def test_small_folds_warn():
    frame, feature, label = tabular(load_iris, "iris")
    small = Dataset.Tabular.from_df(frame.iloc[::5].reset_index(drop=True))
    feature = Feature.from_dataset(small.id, exclude_columns=["target"])
    label = Label.from_dataset(small.id, columns=["target"])
    with pytest.warns(UserWarning, match="fold"):
        Splitset.make([feature.id], label.id, fold_count=5)


def test_unsupervised_stratification_by_a_feature_column():
    frame = load_iris(as_frame=True).frame
    dataset = Dataset.Tabular.from_df(frame)
    feature = Feature.from_dataset(dataset.id)
    splitset = Splitset.make([feature.id], size_test=0.3, unsupervised_stratify_col="target")
    assert splitset.supervision == "unsupervised"
    assert splitset.unsupervised_stratifyCol == "target"
    assert_stratified(frame["target"].to_numpy(), splitset.samples)


def test_cache_round_trip_fits_on_train_only(backend):
    frame, feature, label = tabular(load_breast_cancer, "bc")
    FeatureCoder.from_feature(feature.id, StandardScaler(), verbose=False)
    splitset = Splitset.make([feature.id], label.id, size_test=0.3)
    assert not splitset.cache_hot
    splitset.cache_samples()
    assert splitset.cache_hot and splitset.cache_is_hot
    train = splitset.fetch_cache("train", "features")
    test = splitset.fetch_cache("test", "features")
    np.testing.assert_allclose(train.mean(axis=0), 0, atol=1e-9)
    assert np.abs(test.mean(axis=0)).max() > 0.01
    expected = frame.drop(columns="target").to_numpy()[splitset.samples["test"]]
    scaler = StandardScaler().fit(
        frame.drop(columns="target").to_numpy()[splitset.samples["train"]]
    )
    np.testing.assert_allclose(test, scaler.transform(expected))
    label_test = splitset.fetch_cache("test", "label")
    np.testing.assert_array_equal(
        label_test.ravel(), frame["target"].to_numpy()[splitset.samples["test"]]
    )
    tensor = Splitset.fetch_cache(splitset.id, "train", "features", library="pytorch")
    assert str(tensor.dtype) == "torch.float32" and tuple(tensor.shape) == train.shape
    assert Splitset.get_by_id(splitset.id).fitted_featurecoders[0][0].mean_.shape == (30,)
    layout = sorted(
        p.relative_to(splitset.cache_path).as_posix()
        for p in Path(splitset.cache_path).rglob("*.npy")
    )
    assert layout == [
        "no_fold/test/feature_0.npy",
        "no_fold/test/label.npy",
        "no_fold/train/feature_0.npy",
        "no_fold/train/label.npy",
    ]
    splitset.clear_cache()
    assert not Path(splitset.cache_path).exists() and not splitset.cache_hot
    # fetching again rebuilds the cache
    np.testing.assert_allclose(splitset.fetch_cache("train", "features"), train)


def test_each_fold_fits_its_own_coders(backend):
    _frame, feature, label = tabular(load_iris, "iris")
    FeatureCoder.from_feature(feature.id, StandardScaler(), verbose=False)
    LabelCoder.from_label(label.id, OneHotEncoder())
    splitset = Splitset.make([feature.id], label.id, size_test=0.2, fold_count=3)
    splitset.cache_samples()
    means = []
    for fold in splitset.folds:
        x = splitset.fetch_cache("folds_train_combined", "features", fold_id=fold.id)
        np.testing.assert_allclose(x.mean(axis=0), 0, atol=1e-9)
        y = splitset.fetch_cache("fold_validation", "label", fold_id=fold.id)
        assert y.shape[1] == 3 and set(np.unique(y)) <= {0.0, 1.0}
        fold = type(fold).get_by_id(fold.id)
        means.append(fold.fitted_featurecoders[0][0].mean_)
    assert not np.allclose(means[0], means[1])


def test_multi_modal_features_share_one_label():
    digits = load_digits()
    images = Dataset.Image.from_numpy(digits.images[:, None, :, :].astype("float32"))
    table = Dataset.Tabular.from_df(
        pd.DataFrame({"target": digits.target, "ink": digits.data.sum(axis=1)})
    )
    image_feature = Feature.from_dataset(images.id)
    table_feature = Feature.from_dataset(table.id, include_columns=["ink"])
    label = Label.from_dataset(table.id, columns=["target"])
    splitset = Splitset.make([image_feature.id, table_feature.id], label.id, size_test=0.2)
    features = splitset.fetch_cache("test", "features")
    assert isinstance(features, list) and len(features) == 2
    assert features[0].shape == (len(splitset.samples["test"]), 1, 8, 8)
    assert features[1].shape == (len(splitset.samples["test"]), 1)
    np.testing.assert_array_equal(features[0], digits.images[splitset.samples["test"]][:, None])
    x, y = splitset.to_keras("test")
    assert isinstance(x, list) and x[0].dtype == np.float32 and len(y) == len(x[0])


def test_framework_hand_off_keeps_sample_order():
    frame, feature, label = tabular(load_iris, "iris")
    splitset = Splitset.make([feature.id], label.id, size_test=0.2)
    x, _y = splitset.to_numpy("test")
    np.testing.assert_array_equal(
        x, frame.drop(columns="target").to_numpy()[splitset.samples["test"]]
    )
    features, _labels = splitset.to_pandas("test")
    assert list(features.columns) == list(feature.columns)
    loader = splitset.to_dataloader("train", batch_size=16)
    first_x, _ = next(iter(loader))
    np.testing.assert_allclose(
        first_x.numpy(),
        frame.drop(columns="target").to_numpy()[splitset.samples["train"][:16]],
        rtol=1e-6,
    )


def test_windows_are_the_samples_and_their_future_the_target():
    series = pd.DataFrame({"value": np.sin(np.arange(100) / 5.0), "step": np.arange(100.0)})
    dataset = Dataset.Tabular.from_df(series)
    feature = Feature.from_dataset(dataset.id)
    window = Window.from_feature(feature.id, size_window=21, size_shift=7)
    assert window.window_count == 11
    splitset = Splitset.make([feature.id], size_test=0.2)
    assert sum(len(rows) for rows in splitset.samples.values()) == 11
    x = splitset.fetch_cache("train", "features")
    y = splitset.fetch_cache("train", "label")
    first = splitset.samples["train"][0]
    np.testing.assert_allclose(x[0], series.to_numpy()[window.samples_unshifted[first]])
    np.testing.assert_allclose(y[0], series.to_numpy()[window.samples_shifted[first]])
    assert x.shape[1:] == (21, 2) and y.shape[1:] == (7, 2)


@pytest.mark.parametrize(("kind", "sample_shape"), [("Sequence", (4, 3)), ("Image", (1, 2, 3))])
def test_sequences_and_images_are_windowed_along_their_first_axis(kind, sample_shape):
    arr = np.arange(60 * np.prod(sample_shape), dtype="float64").reshape(60, *sample_shape)
    dataset = getattr(Dataset, kind).from_numpy(arr)
    feature = Feature.from_dataset(dataset.id)
    FeatureCoder.from_feature(feature.id, StandardScaler(), verbose=False)
    window = Window.from_feature(feature.id, size_window=10, size_shift=5)
    assert window.window_count == (60 - 10 - 5) // 5 + 1
    assert feature.preprocessed_shape() == (window.window_count, 10, *sample_shape)
    splitset = Splitset.make([feature.id], size_test=0.2)
    assert sum(len(rows) for rows in splitset.samples.values()) == window.window_count
    splitset.cache_samples()
    for split, windows in splitset.samples.items():
        x = splitset.fetch_cache(split, "features")
        y = splitset.fetch_cache(split, "label")
        assert x.shape == (len(windows), 10, *sample_shape)
        assert y.shape == (len(windows), 5, *sample_shape)
    scaler = splitset.fitted_featurecoders[0][0]
    first = splitset.samples["train"][0]
    x = splitset.fetch_cache("train", "features")
    y = splitset.fetch_cache("train", "label")
    for cached, rows in (
        (x[0], window.samples_unshifted[first]),
        (y[0], window.samples_shifted[first]),
    ):
        expected = scaler.transform(arr[rows].reshape(-1, sample_shape[-1]))
        np.testing.assert_allclose(cached.reshape(expected.shape), expected)


def test_bad_arguments_write_nothing(backend):
    frame, feature, label = tabular(load_iris, "iris")
    cases = [
        (dict(feature_ids=[], label_id=label.id), "feature_ids"),
        (dict(feature_ids=[feature.id], label_id=label.id, size_test=1.2), "size_test"),
        (
            dict(feature_ids=[feature.id], label_id=label.id, size_test=0.6, size_validation=0.5),
            "size_test",
        ),
        (dict(feature_ids=[feature.id], label_id=label.id, fold_count=1), "fold_count"),
        (dict(feature_ids=[feature.id], label_id=label.id, bin_count=0), "bin_count"),
        (
            dict(feature_ids=[feature.id], label_id=label.id, unsupervised_stratify_col="x"),
            "unsupervised_stratify_col",
        ),
    ]
    for kwargs, argument in cases:
        with pytest.raises(InvalidArgument, match=argument):
            Splitset.make(**kwargs)
    other = Dataset.Tabular.from_df(frame.iloc[:100])
    short = Label.from_dataset(other.id, columns=["target"])
    with pytest.raises(InvalidArgument, match="same number of samples"):
        Splitset.make([feature.id], short.id)
    few = Dataset.Tabular.from_df(frame.iloc[[0, 1, 50, 51, 100, 101]].reset_index(drop=True))
    with pytest.raises(InvalidArgument, match="class"):
        Splitset.make(
            [Feature.from_dataset(few.id, exclude_columns=["target"]).id],
            Label.from_dataset(few.id, columns=["target"]).id,
            size_test=0.2,
            size_validation=0.2,
        )
    assert Splitset.select_where() == []


def test_named_versions_must_differ(backend):
    _frame, feature, label = tabular(load_iris, "iris")
    first = Splitset.make([feature.id], label.id, size_test=0.2, name="pipe")
    second = Splitset.make([feature.id], label.id, size_test=0.3, name="pipe")
    assert (first.version, second.version) == (1, 2)
    with pytest.raises(InvalidArgument, match="identical"):
        Splitset.make([feature.id], label.id, size_test=0.2, name="pipe")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert Splitset.make([feature.id], label.id, size_test=0.2).version is None


def test_numpy_sizes_and_counts_are_stored_as_numbers(backend):
    _frame, feature, label = tabular(load_diabetes, "diabetes")
    splitset = Splitset.make(
        [feature.id],
        label.id,
        size_test=np.float32(0.2),
        size_validation=np.float64(0.2),
        bin_count=np.int64(3),
        fold_count=np.int64(2),
        name="numpy",
    )
    stored = Splitset.get_by_id(splitset.id)
    assert stored.size_test == pytest.approx(0.2) and stored.size_validation == 0.2
    assert (stored.bin_count, stored.fold_count) == (3, 2) and len(stored.folds) == 2
    assert type(stored.bin_count) is int and type(stored.size_test) is float


def gappy_regression(gaps: list[int]) -> tuple[pd.DataFrame, Feature, Label]:
    frame = load_diabetes(as_frame=True).frame.iloc[:120].reset_index(drop=True)
    frame.loc[gaps, "target"] = np.nan
    dataset = Dataset.Tabular.from_df(frame)
    feature = Feature.from_dataset(dataset.id, exclude_columns=["target"])
    return frame, feature, Label.from_dataset(dataset.id, columns=["target"])


def test_an_interpolated_label_with_gaps_is_stratified_on_its_filled_bins(backend):
    from assay.orm import LabelInterpolater

    frame, feature, label = gappy_regression([3, 40, 77])
    LabelInterpolater.from_label(label.id, interpolate_kwargs={"method": "linear"})
    splitset = Splitset.make([feature.id], label.id, size_test=0.25, bin_count=3, fold_count=2)
    filled = frame["target"].interpolate(method="linear", limit_direction="both")
    assert_stratified(pd.qcut(filled, 3, labels=False).to_numpy(), splitset.samples)
    for split in splitset.samples:
        assert not np.isnan(splitset.fetch_cache(split, "label")).any()


def test_a_continuous_label_with_gaps_and_no_interpolater_is_refused(backend):
    _frame, feature, label = gappy_regression([3, 40])
    with pytest.raises(InvalidArgument, match=r"missing values \{'target': 2\}.*LabelInterpolater"):
        Splitset.make([feature.id], label.id, size_test=0.25)
    assert Splitset.select_where() == []
