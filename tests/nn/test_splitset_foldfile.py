"""Splitset.to_foldfile: a Splitset's preprocessed folds and splits as a fold file."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_breast_cancer, load_digits, load_iris
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from assay.errors import InvalidArgument
from assay.nn.data import FoldYielder
from assay.orm import Dataset, Feature, FeatureCoder, Label, LabelCoder, Splitset, Window


def iris_splitset(**options):
    frame = load_iris(as_frame=True).frame
    dataset = Dataset.Tabular.from_df(frame)
    feature = Feature.from_dataset(dataset.id, exclude_columns=["target"])
    FeatureCoder.from_feature(feature.id, StandardScaler(), verbose=False)
    label = Label.from_dataset(dataset.id, columns=["target"])
    return frame, Splitset.make([feature.id], label.id, **options)


def test_each_fold_holds_a_folds_validation_samples_scaled_as_train_was(tmp_path):
    frame, splitset = iris_splitset(size_test=0.2, fold_count=4)
    fy = FoldYielder(splitset.to_foldfile(tmp_path / "iris.hdf5", compression="gzip"))
    assert fy.n_folds == 4 and fy.fold_names == [f"fold_{i}" for i in range(4)]
    assert fy.cont_feats == list(frame.columns[:4]) and fy.targ_feats == ["target"]
    assert fy.targ_type == np.int64 and fy.meta["class_names"] == [0, 1, 2]
    assert fy.meta["source"]["splitset_id"] == splitset.id
    features = frame.drop(columns="target").to_numpy()
    scaler = StandardScaler().fit(features[splitset.samples["train"]])
    for fold in splitset.folds:
        ids = fy.get_column("sample_id", fold_idx=fold.idx)
        assert ids.tolist() == fold.samples["fold_validation"]
        data = fy[fold.idx]
        np.testing.assert_allclose(data["inputs"], scaler.transform(features[ids]), rtol=1e-5)
        np.testing.assert_array_equal(data["targets"][:, 0], frame["target"].to_numpy()[ids])
        assert data["weights"] is None
    written = np.sort(fy.get_column("sample_id"))
    np.testing.assert_array_equal(written, np.sort(splitset.samples["train"]))


def test_without_folds_each_split_is_a_fold_and_one_split_can_be_cut(tmp_path):
    _, splitset = iris_splitset(size_test=0.2, size_validation=0.2)
    fy = FoldYielder(splitset.to_foldfile(tmp_path / "splits.hdf5"))
    assert fy.fold_names == ["train", "validation", "test"]
    for at, name in enumerate(fy.fold_names):
        assert fy.get_column("sample_id", fold_idx=at).tolist() == splitset.samples[name]
    np.testing.assert_allclose(fy[0]["inputs"].mean(axis=0), 0, atol=1e-5)
    test = FoldYielder(
        Splitset.to_foldfile(splitset.id, tmp_path / "test.h5", split="test", n_folds=3)
    )
    assert test.fold_names == ["test_0", "test_1", "test_2"]
    assert (
        np.concatenate([test.get_column("sample_id", fold_idx=i) for i in range(3)]).tolist()
        == (splitset.samples["test"])
    )
    np.testing.assert_array_equal(test.get_data()["inputs"], fy[2]["inputs"])


def test_an_encoded_label_keeps_its_columns_and_dtype(tmp_path):
    frame = load_breast_cancer(as_frame=True).frame.iloc[:, [0, 1, 2, -1]]
    dataset = Dataset.Tabular.from_df(frame)
    feature = Feature.from_dataset(dataset.id, exclude_columns=["target"])
    label = Label.from_dataset(dataset.id, columns=["target"])
    LabelCoder.from_label(label.id, OneHotEncoder(sparse_output=False))
    splitset = Splitset.make([feature.id], label.id, size_test=0.25)
    fy = FoldYielder(splitset.to_foldfile(tmp_path / "cancer"))
    assert fy.targ_feats == ["target_0", "target_1"] and fy.targ_type == np.float32
    targets = fy[0]["targets"]
    classes = frame["target"].to_numpy()[fy.get_column("sample_id", fold_idx=0)]
    np.testing.assert_array_equal(targets.argmax(axis=1), classes)
    frame_back = fy.get_df(fold_idx=1)
    assert frame_back.columns.tolist() == ["targets_0", "targets_1"]


def test_windows_become_the_matrix_and_their_future_the_targets(tmp_path):
    steps = np.arange(200, dtype=float)
    series = pd.DataFrame({"level": np.sin(steps / 8), "trend": steps / 200})
    feature = Feature.from_dataset(Dataset.Tabular.from_df(series).id)
    Window.from_feature(feature.id, size_window=12, size_shift=4)
    splitset = Splitset.make([feature.id], size_test=0.25)
    fy = FoldYielder(splitset.to_foldfile(tmp_path / "windows"))
    assert fy.has_matrix and fy.matrix_shape == (12, 2) and fy.cont_feats == []
    assert fy.matrix_feats["feats_per_vec"] == ["level", "trend"]
    flat, matrix = fy[0]["inputs"]
    assert flat.shape == (len(splitset.samples["train"]), 0)
    cached_features, cached_targets = splitset.to_numpy("train")
    np.testing.assert_allclose(matrix, cached_features)
    np.testing.assert_allclose(fy[0]["targets"], cached_targets)
    fy.add_ignore("trend")
    assert fy[0]["inputs"][1].shape[2] == 1


def test_bad_requests_are_refused_before_a_file_is_written(tmp_path):
    _, splitset = iris_splitset(size_test=0.2, fold_count=3)
    out = tmp_path / "out"
    with pytest.raises(InvalidArgument, match="split must be one of"):
        splitset.to_foldfile(out / "a", split="holdout")
    with pytest.raises(InvalidArgument, match="n_folds cuts one split into folds"):
        splitset.to_foldfile(out / "a", n_folds=2)
    with pytest.raises(InvalidArgument, match="n_folds must be an int between 1 and the 30"):
        splitset.to_foldfile(out / "a", split="test", n_folds=31)
    with pytest.raises(InvalidArgument, match="compression must be one of"):
        splitset.to_foldfile(out / "a", compression="zstd")
    unsupervised = Splitset.make(splitset.feature_ids, size_test=0.2)
    with pytest.raises(InvalidArgument, match="has no Label"):
        unsupervised.to_foldfile(out / "a")
    assert not out.exists()


def test_images_become_the_tensor_beside_flat_features(tmp_path):
    digits = load_digits()
    images = digits.images[:120, None].astype(np.float32)
    table = pd.DataFrame({"ink": images.sum(axis=(1, 2, 3)), "target": digits.target[:120]})
    tabular = Dataset.Tabular.from_df(table)
    ink = Feature.from_dataset(tabular.id, include_columns=["ink"])
    pictures = Feature.from_dataset(Dataset.Image.from_numpy(images).id)
    label = Label.from_dataset(tabular.id, columns=["target"])
    splitset = Splitset.make([ink.id, pictures.id], label.id, size_test=0.25)
    fy = FoldYielder(splitset.to_foldfile(tmp_path / "digits", split="test"))
    assert fy.cont_feats == ["ink"] and fy.matrix_feats["kind"] == "tensor"
    assert fy.matrix_shape == (1, 8, 8)
    flat, tensor = fy[0]["inputs"]
    ids = fy.get_column("sample_id")
    np.testing.assert_array_equal(tensor, images[ids])
    np.testing.assert_allclose(flat[:, 0], table["ink"].to_numpy()[ids])
    np.testing.assert_array_equal(fy[0]["targets"][:, 0], digits.target[ids])
