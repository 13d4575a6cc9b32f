"""Handing cached arrays to each library: types, dtypes, shapes and sample order."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_breast_cancer, load_iris

from assay.errors import InvalidArgument
from assay.train import handoff


@pytest.fixture
def iris() -> tuple[np.ndarray, np.ndarray]:
    data = load_iris()
    return data.data, data.target


def test_to_numpy_single_and_several(iris):
    x, y = iris
    single, label = handoff.to_numpy([x], y)
    assert isinstance(single, np.ndarray) and single.shape == (150, 4)
    np.testing.assert_array_equal(label, y)
    several, label = handoff.to_numpy([x, x[:, :2]], None)
    assert isinstance(several, list) and [a.shape for a in several] == [(150, 4), (150, 2)]
    assert label is None


def test_mismatched_sample_counts_are_rejected(iris):
    x, y = iris
    with pytest.raises(InvalidArgument, match=r"features\[1\]"):
        handoff.to_numpy([x, x[:10]], y)
    with pytest.raises(InvalidArgument, match="label"):
        handoff.to_keras([x], y[:10])
    with pytest.raises(InvalidArgument, match="non-empty"):
        handoff.to_numpy([], y)


def test_to_pandas_names_columns(iris):
    x, y = iris
    names = load_iris().feature_names
    frame, label = handoff.to_pandas([x], y, feature_columns=[names], label_columns=["species"])
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.columns) == names
    np.testing.assert_array_equal(frame.to_numpy(), x)
    assert list(label.columns) == ["species"]
    np.testing.assert_array_equal(label["species"].to_numpy(), y)


def test_to_pandas_defaults_and_several_features(iris):
    x, y = iris
    onehot = np.eye(3)[y]
    frames, label = handoff.to_pandas([x, x[:, :1]], onehot)
    assert isinstance(frames, list) and [f.shape for f in frames] == [(150, 4), (150, 1)]
    assert label.shape == (150, 3)
    _, label = handoff.to_pandas([x], y)
    assert list(label.columns) == ["label"]
    assert handoff.to_pandas([x], None)[1] is None


def test_to_pandas_widens_the_names_of_an_encoded_label(iris):
    x, y = iris
    onehot = np.eye(3)[y]
    _, label = handoff.to_pandas([x], onehot, label_columns=["species"], widen_label=True)
    assert list(label.columns) == ["species_0", "species_1", "species_2"]
    _, label = handoff.to_pandas([x], y, label_columns=["species"], widen_label=True)
    assert list(label.columns) == ["species"]
    with pytest.raises(InvalidArgument, match="label_columns"):
        handoff.to_pandas([x], onehot, label_columns=["species"])


def test_to_pandas_rejects_non_2d_and_wrong_names(iris):
    x, y = iris
    with pytest.raises(InvalidArgument, match="only 2D"):
        handoff.to_pandas([x.reshape(150, 2, 2)], y)
    with pytest.raises(InvalidArgument, match="feature_columns"):
        handoff.to_pandas([x], y, feature_columns=[["a", "b"]])
    with pytest.raises(InvalidArgument, match="label_columns"):
        handoff.to_pandas([x], y, label_columns=["a", "b"])


def test_to_torch_gives_float_tensors(iris):
    import torch

    x, y = iris
    features, label = handoff.to_torch([x], y)
    assert isinstance(features, torch.Tensor)
    assert features.dtype == torch.float32 and label.dtype == torch.float32
    assert tuple(features.shape) == (150, 4) and tuple(label.shape) == (150,)
    np.testing.assert_allclose(features.numpy(), x.astype(np.float32))
    np.testing.assert_array_equal(label.numpy(), y.astype(np.float32))

    several, none = handoff.to_torch([x, x[:, :2]], None)
    assert isinstance(several, list) and len(several) == 2 and none is None
    assert all(t.dtype == torch.float32 for t in several)


def test_to_torch_accepts_read_only_arrays(iris):
    import warnings

    x, y = iris
    x = x.astype(np.float32)
    x.flags.writeable = False  # as a memory-mapped cache file is
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        features, _ = handoff.to_torch([x], y)
    features[0, 0] = 99.0  # writable, and not written through to the cache
    assert x[0, 0] != 99.0


def test_to_torch_rejects_text_labels(iris):
    x, _ = iris
    with pytest.raises(InvalidArgument, match="label must be numeric"):
        handoff.to_torch([x], np.array(["a"] * 150))


def test_to_dataloader_keeps_order_and_batches():
    data = load_breast_cancer()
    x, y = data.data, data.target
    loader = handoff.to_dataloader([x, x[:, :3]], y, batch_size=100)
    batches = list(loader)
    assert len(batches) == 6  # 569 samples
    first_x, first_x2, _ = batches[0]
    assert tuple(first_x.shape) == (100, 30) and tuple(first_x2.shape) == (100, 3)
    labels = np.concatenate([batch[-1].numpy() for batch in batches])
    np.testing.assert_array_equal(labels, y.astype(np.float32))  # original order


def test_to_dataloader_shuffles_reproducibly(iris):
    x, _ = iris
    order = np.arange(150)
    first = np.concatenate(
        [b[-1].numpy() for b in handoff.to_dataloader([x], order, shuffle=True, seed=1)]
    )
    again = np.concatenate(
        [b[-1].numpy() for b in handoff.to_dataloader([x], order, shuffle=True, seed=1)]
    )
    assert not np.array_equal(first, order)
    assert np.array_equal(first, again)
    assert np.array_equal(np.sort(first), order)  # every sample once
    unlabelled = list(handoff.to_dataloader([x], None, batch_size=150))
    assert len(unlabelled) == 1 and len(unlabelled[0]) == 1  # features only


def test_to_dataloader_rejects_bad_batch_size(iris):
    x, y = iris
    with pytest.raises(InvalidArgument, match="batch_size"):
        handoff.to_dataloader([x], y, batch_size=0)


def test_to_keras_gives_float32_arrays(iris):
    x, y = iris
    single, label = handoff.to_keras([x], np.eye(3)[y])
    assert isinstance(single, np.ndarray) and single.dtype == np.float32
    assert label.dtype == np.float32 and label.shape == (150, 3)
    np.testing.assert_allclose(single, x.astype(np.float32))
    several, label = handoff.to_keras([x, x[:, :1]], y)
    assert isinstance(several, list) and [a.dtype for a in several] == [np.float32] * 2
    np.testing.assert_array_equal(label, y.astype(np.float32))


def test_label_column_names_widen_an_encoded_column():
    assert handoff.label_column_names(["y"], coded=False, width=1) == ["y"]
    assert handoff.label_column_names(["y"], coded=True, width=1) == ["y"]
    assert handoff.label_column_names(["y"], coded=True, width=3) == ["y_0", "y_1", "y_2"]
    assert handoff.label_column_names(["a", "b"], coded=False, width=2) == ["a", "b"]


def test_part_of_unwraps_one_feature():
    one, label = np.zeros((4, 2)), np.ones(4)
    assert handoff.part_of(([one], label), "features") is one
    assert handoff.part_of(([one, one], label), "features") == [one, one]
    assert handoff.part_of(([one], label), "label") is label
    assert handoff.part_of(([one], None), "label") is None
