"""The samples cache: round trips, atomic writes, the hot marker and clearing."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sklearn.datasets import load_iris

from assay.errors import InvalidArgument, NotFound
from assay.store import cache


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return tmp_path / "cache" / "samples" / "splitset_uid"


def test_fold_dir_name():
    assert cache.fold_dir_name(None) == "no_fold"
    assert cache.fold_dir_name(0) == "0"
    assert cache.fold_dir_name(np.int64(3)) == "3"
    for bad in (-1, True, "0", 1.0):
        with pytest.raises(InvalidArgument, match="fold_index"):
            cache.fold_dir_name(bad)


def test_round_trip_with_several_features_and_folds(root: Path):
    iris = load_iris()
    x, y = iris.data, iris.target
    images = np.arange(150 * 2 * 3, dtype=np.float32).reshape(150, 2, 3)
    cache.write_split(root, None, "train", y[:100], [x[:100], images[:100]])
    cache.write_split(root, None, "test", y[100:], [x[100:], images[100:]])
    cache.write_split(root, 0, "folds_train_combined", y[:50], [x[:50], images[:50]])

    assert (root / "no_fold" / "train" / "label.npy").is_file()
    assert (root / "no_fold" / "train" / "feature_1.npy").is_file()
    assert (root / "0" / "folds_train_combined" / "feature_0.npy").is_file()

    features, label = cache.read_split(root, None, "test")
    assert len(features) == 2
    np.testing.assert_array_equal(features[0], x[100:])
    np.testing.assert_array_equal(features[1], images[100:])
    assert features[1].dtype == np.float32
    np.testing.assert_array_equal(label, y[100:])

    mapped, mapped_label = cache.read_split(root, 0, "folds_train_combined", mmap=True)
    assert isinstance(mapped[0], np.memmap) and not mapped[0].flags.writeable
    np.testing.assert_array_equal(mapped[0], x[:50])
    np.testing.assert_array_equal(mapped_label, y[:50])

    assert cache.list_splits(root) == {
        "0": ["folds_train_combined"],
        "no_fold": ["test", "train"],
    }


def test_many_features_are_read_in_numeric_order(root: Path):
    arrays = [np.full((2, 1), i) for i in range(12)]
    cache.write_split(root, None, "train", None, arrays)
    features, label = cache.read_split(root, None, "train")
    assert label is None  # unsupervised: no label file
    assert [int(a[0, 0]) for a in features] == list(range(12))


def test_rewrite_replaces_the_split(root: Path):
    cache.write_split(root, 1, "test", np.zeros(3), [np.zeros((3, 2)), np.zeros((3, 2))])
    cache.write_split(root, 1, "test", np.ones(4), [np.ones((4, 2))])
    features, label = cache.read_split(root, 1, "test")
    assert len(features) == 1  # the old feature_1.npy is gone
    np.testing.assert_array_equal(label, np.ones(4))
    assert sorted(p.name for p in (root / "1").iterdir()) == ["test"]  # no temporary leftovers


def test_read_missing_split_is_not_found(root: Path):
    with pytest.raises(NotFound, match=r"'validation'.*no_fold"):
        cache.read_split(root, None, "validation")
    cache.write_split(root, None, "train", None, [np.zeros((2, 2))])
    with pytest.raises(NotFound, match="'2'"):
        cache.read_split(root, 2, "train")


def test_a_failure_mid_write_leaves_no_split(root: Path, monkeypatch: pytest.MonkeyPatch):
    cache.write_split(root, None, "train", np.zeros(2), [np.zeros((2, 2))])
    cache.mark_hot(root)
    real_save = np.save
    calls = []

    def failing_save(file, arr, *args, **kwargs):
        calls.append(arr)
        if len(calls) == 2:
            raise OSError("disk full")
        return real_save(file, arr, *args, **kwargs)

    monkeypatch.setattr(np, "save", failing_save)
    with pytest.raises(OSError, match="disk full"):
        cache.write_split(root, None, "test", np.zeros(3), [np.zeros((3, 2)), np.zeros((3, 2))])
    monkeypatch.undo()

    assert len(calls) == 2
    assert not (root / "no_fold" / "test").exists()
    assert [p.name for p in (root / "no_fold").iterdir()] == ["train"]  # temp dir removed
    assert cache.list_splits(root) == {"no_fold": ["train"]}
    assert not cache.is_hot(root)  # writing un-marked it; the failed write never re-marks
    with pytest.raises(NotFound):
        cache.read_split(root, None, "test")


def test_a_failed_rewrite_keeps_the_old_split(root: Path, monkeypatch: pytest.MonkeyPatch):
    cache.write_split(root, None, "train", np.zeros(2), [np.zeros((2, 2)), np.zeros((2, 2))])

    def failing_save(file, arr, *args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(np, "save", failing_save)
    with pytest.raises(OSError):
        cache.write_split(root, None, "train", np.ones(2), [np.ones((2, 2))])
    monkeypatch.undo()
    features, label = cache.read_split(root, None, "train")
    assert len(features) == 2
    np.testing.assert_array_equal(label, np.zeros(2))


def test_leftover_temporary_folders_are_not_listed(root: Path):
    cache.write_split(root, None, "train", None, [np.zeros((2, 2))])
    (root / "no_fold" / ".tmp-test-abc").mkdir()  # as a crash would leave it
    assert cache.list_splits(root) == {"no_fold": ["train"]}


def test_hot_marker(root: Path):
    assert not cache.is_hot(root)
    with pytest.raises(NotFound):
        cache.mark_hot(root)  # nothing to mark
    cache.write_split(root, None, "train", None, [np.zeros((2, 2))])
    assert not cache.is_hot(root)
    cache.mark_hot(root)
    assert cache.is_hot(root)
    assert (root / ".complete").is_file()
    assert [p.name for p in root.iterdir() if p.name.startswith(".")] == [".complete"]
    cache.write_split(root, None, "test", None, [np.zeros((2, 2))])
    assert not cache.is_hot(root)  # changed since it was marked complete


def test_clear(root: Path):
    cache.clear(root)  # absent: fine
    cache.write_split(root, 0, "train", np.zeros(2), [np.zeros((2, 2))])
    cache.mark_hot(root)
    cache.clear(root)
    assert not root.exists()
    assert not cache.is_hot(root)
    assert cache.list_splits(root) == {}


@pytest.mark.parametrize("split", ["", ".hidden", "a/b", "..", 3])
def test_bad_split_names(root: Path, split):
    with pytest.raises(InvalidArgument, match="split"):
        cache.write_split(root, None, split, None, [np.zeros((2, 2))])


def test_features_must_be_a_non_empty_list(root: Path):
    with pytest.raises(InvalidArgument, match="features"):
        cache.write_split(root, None, "train", None, [])
