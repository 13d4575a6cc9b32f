"""Stratified splits and folds over real datasets: proportions, coverage and clear errors."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer, load_diabetes, load_iris

from assay.errors import InvalidArgument
from assay.preprocess.stratify import (
    SmallFoldWarning,
    check_sizes,
    column_strata,
    describe_sizes,
    fold_samples,
    label_strata,
    make_folds,
    split_keys,
    split_samples,
    stratify_values,
)


def assert_partition(samples: dict[str, np.ndarray], count: int) -> None:
    """Every sample is in exactly one split, and each split is sorted."""
    joined = np.concatenate(list(samples.values()))
    assert len(joined) == count
    assert np.array_equal(np.sort(joined), np.arange(count))
    for indices in samples.values():
        assert indices.dtype == np.int64
        assert np.all(np.diff(indices) > 0)


def assert_stratified(samples: dict[str, np.ndarray], strata: np.ndarray) -> None:
    """Each split holds each class within one sample of its ideal share.

    A three-way split is drawn in two stages (test from all samples, then validation from the
    rest), so train and validation are measured against what the test split left.
    """
    if "test" in samples and "validation" in samples:
        assert_stratified({"test": samples["test"]}, strata)
        rest = np.concatenate([samples["train"], samples["validation"]])
        position = {index: i for i, index in enumerate(rest.tolist())}
        assert_stratified(
            {
                key: np.array([position[i] for i in samples[key].tolist()])
                for key in ("train", "validation")
            },
            strata[rest],
        )
        return
    classes, totals = np.unique(strata, return_counts=True)
    for indices in samples.values():
        share = len(indices) / len(strata)
        counts = np.array([(strata[indices] == c).sum() for c in classes])
        assert np.all(np.abs(counts - totals * share) <= 1 + 1e-9), (counts, totals * share)


def test_iris_three_splits_are_stratified_and_partition_the_samples():
    y = load_iris().target
    strata = stratify_values(y, kind="categorical")
    samples = split_samples(len(y), strata, size_test=0.2, size_validation=0.2, random_state=0)
    assert list(samples) == ["train", "validation", "test"]
    assert_partition(samples, len(y))
    assert_stratified(samples, y)
    # size_validation is a fraction of the whole dataset, not of what the test split leaves.
    assert len(samples["test"]) == 30
    assert len(samples["validation"]) == 30
    assert len(samples["train"]) == 90
    assert describe_sizes(samples)["train"] == {"percent": 0.6, "count": 90}


def test_split_is_reproducible_with_a_seed_and_changes_without_one():
    y = load_breast_cancer().target
    first = split_samples(len(y), y, size_test=0.25, size_validation=None, random_state=7)
    again = split_samples(len(y), y, size_test=0.25, size_validation=None, random_state=7)
    other = split_samples(len(y), y, size_test=0.25, size_validation=None, random_state=8)
    assert list(first) == ["train", "test"]
    assert np.array_equal(first["test"], again["test"])
    assert not np.array_equal(first["test"], other["test"])
    assert_partition(first, len(y))
    assert_stratified(first, y)


def test_no_test_size_puts_everything_in_train():
    samples = split_samples(10, None, size_test=None, size_validation=None)
    assert list(samples) == ["train"]
    assert np.array_equal(samples["train"], np.arange(10))


def test_unstratified_split_partitions():
    samples = split_samples(101, None, size_test=0.3, size_validation=0.1, random_state=1)
    assert_partition(samples, 101)
    assert len(samples["test"]) == 31


def test_regression_label_is_binned_by_quantiles_and_stratified():
    y = load_diabetes().target
    bins = stratify_values(y, kind="continuous", bin_count=4)
    assert bins.shape == y.shape
    assert set(np.unique(bins)) == {0, 1, 2, 3}
    counts = np.bincount(bins)
    assert counts.max() - counts.min() <= 5  # quartiles hold nearly equal counts (ties aside)
    # Higher bins hold higher values.
    assert y[bins == 0].max() <= y[bins == 3].min()
    samples = split_samples(len(y), bins, size_test=0.2, size_validation=0.1, random_state=0)
    assert_partition(samples, len(y))
    assert_stratified(samples, bins)


def test_continuous_bins_drop_duplicate_edges():
    values = np.array([0.0] * 8 + [1.0, 2.0])
    bins = stratify_values(values, kind="continuous", bin_count=5)
    assert len(np.unique(bins)) < 5  # duplicate edges were dropped, not an error


def test_onehot_label_stratifies_by_class():
    y = load_iris().target
    onehot = np.eye(3)[y]
    strata = stratify_values(onehot, kind="onehot")
    assert np.array_equal(strata, y)
    samples = split_samples(len(y), strata, size_test=0.3, size_validation=None, random_state=3)
    assert_stratified(samples, y)


def test_categorical_accepts_a_single_column_and_strings():
    y = np.array(["a", "b"] * 10)[:, None]
    assert np.array_equal(stratify_values(y, kind="categorical"), y[:, 0])
    assert stratify_values(None, kind="categorical") is None


@pytest.mark.parametrize(
    ("label", "kwargs", "match"),
    [
        (np.zeros((4, 2)), {"kind": "categorical"}, "single column"),
        (np.arange(4), {"kind": "onehot"}, "2D"),
        (np.arange(4.0), {"kind": "continuous"}, "bin_count"),
        (np.arange(4.0), {"kind": "continuous", "bin_count": 1}, "bin_count"),
        (np.arange(4), {"kind": "ordinal"}, "kind must be one of"),
    ],
)
def test_stratify_values_rejects_bad_input(label, kwargs, match):
    with pytest.raises(InvalidArgument, match=match):
        stratify_values(label, **kwargs)


@pytest.mark.parametrize(
    ("size_test", "size_validation", "match"),
    [
        (0.0, None, "size_test.*0.0"),
        (1.0, None, "size_test.*1.0"),
        (-0.2, None, "size_test"),
        (0.2, 1.5, "size_validation.*1.5"),
        (None, 0.2, "size_validation.*needs a test split"),
        (0.5, 0.5, "below 1.0"),
        ("0.2", None, "size_test"),
    ],
)
def test_bad_sizes_name_the_argument(size_test, size_validation, match):
    with pytest.raises(InvalidArgument, match=match):
        check_sizes(size_test, size_validation)
    with pytest.raises(InvalidArgument, match=match):
        split_samples(20, None, size_test=size_test, size_validation=size_validation)


def test_good_sizes_pass():
    check_sizes(None, None)
    check_sizes(0.2, None)
    check_sizes(0.2, 0.3)


def test_numpy_sizes_and_counts_are_accepted():
    check_sizes(np.float32(0.2), np.float64(0.3))
    samples = split_samples(20, None, size_test=np.float32(0.2), size_validation=None)
    assert len(samples["test"]) == 4
    bins = stratify_values(np.arange(20.0), kind="continuous", bin_count=np.int64(4))
    assert sorted(set(bins)) == [0, 1, 2, 3]
    assert len(make_folds(np.arange(40), None, np.int64(4))) == 4


def test_too_few_samples_of_a_class_says_how_many():
    y = np.array([0] * 20 + [1] * 20 + [2])
    with pytest.raises(InvalidArgument) as info:
        split_samples(len(y), y, size_test=0.2, size_validation=None)
    message = str(info.value)
    assert "class 2 has 1 sample(s)" in message
    assert "at least 2" in message


def test_validation_needs_more_of_each_class_and_says_so():
    # Three of class 2: one split can hold it out, but then too few remain for validation.
    y = np.array([0] * 30 + [1] * 30 + [2] * 3)
    split_samples(len(y), y, size_test=0.5, size_validation=None)  # fine without validation
    with pytest.raises(InvalidArgument) as info:
        split_samples(len(y), y, size_test=0.5, size_validation=0.2, random_state=0)
    message = str(info.value)
    assert "class 2 has 3 sample(s)" in message
    assert "at least 5" in message


def test_test_split_smaller_than_class_count_is_explained():
    y = np.repeat(np.arange(10), 3)
    with pytest.raises(InvalidArgument, match="fewer than the 10 classes"):
        split_samples(len(y), y, size_test=0.1, size_validation=None)


def test_stratify_on_must_match_sample_count():
    with pytest.raises(InvalidArgument, match="one value per sample"):
        split_samples(10, np.zeros(9), size_test=0.2, size_validation=None)


def test_folds_cover_the_train_split_without_overlap_and_are_stratified():
    y = load_breast_cancer().target
    samples = split_samples(len(y), y, size_test=0.2, size_validation=None, random_state=0)
    folds = make_folds(samples["train"], y, 5, random_state=0)
    assert len(folds) == 5
    train = set(samples["train"].tolist())
    held = np.concatenate([fold["fold_validation"] for fold in folds])
    assert len(held) == len(train) and set(held.tolist()) == train  # each once
    for fold in folds:
        fit, validation = fold["folds_train_combined"], fold["fold_validation"]
        assert set(fit.tolist()) | set(validation.tolist()) == train
        assert not set(fit.tolist()) & set(validation.tolist())
        assert np.all(np.diff(fit) > 0) and np.all(np.diff(validation) > 0)
        assert not set(validation.tolist()) & set(samples["test"].tolist())
    # Class proportions of each fold_validation are within one sample of the ideal.
    train_y = y[samples["train"]]
    for fold in folds:
        counts = np.bincount(y[fold["fold_validation"]], minlength=2)
        ideal = np.bincount(train_y) / 5
        assert np.all(np.abs(counts - ideal) <= 1)


def test_folds_without_stratification_use_kfold():
    train = np.arange(0, 80, 2)
    folds = make_folds(train, None, 4, random_state=0)
    held = np.concatenate([fold["fold_validation"] for fold in folds])
    assert np.array_equal(np.sort(held), train)
    assert all(len(fold["fold_validation"]) == 10 for fold in folds)


def test_fold_count_below_two_is_rejected():
    with pytest.raises(InvalidArgument, match="fold_count must be at least 2"):
        make_folds(np.arange(10), None, 1)


def test_class_with_fewer_members_than_folds_is_rejected_with_counts():
    y = np.array([0] * 30 + [1] * 3)
    with pytest.raises(InvalidArgument) as info:
        make_folds(np.arange(len(y)), y, 5)
    message = str(info.value)
    assert "class 1 has 3 sample(s)" in message
    assert "fold_count=5" in message and "at least 5" in message


def test_small_folds_warn():
    y = np.array([0] * 30 + [1] * 6)
    with pytest.warns(SmallFoldWarning, match="class 1 has 6 train samples"):
        folds = make_folds(np.arange(len(y)), y, 5, random_state=0)
    assert len(folds) == 5


def test_roomy_folds_do_not_warn():
    y = load_iris().target
    with warnings.catch_warnings():
        warnings.simplefilter("error", SmallFoldWarning)
        make_folds(np.arange(len(y)), y, 5, random_state=0)


def test_tiny_unstratified_folds_warn_and_mention_uneven_division():
    with pytest.warns(SmallFoldWarning, match="do not divide evenly"):
        make_folds(np.arange(13), None, 3)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((False, False, None), ("train", None, None)),
        ((False, True, None), ("train", "test", "test")),
        ((True, True, None), ("train", "validation", "test")),
        ((False, True, 5), ("folds_train_combined", "fold_validation", "test")),
        ((True, True, 5), ("folds_train_combined", "fold_validation", "test")),
        ((False, False, 3), ("folds_train_combined", "fold_validation", None)),
    ],
)
def test_split_keys_follow_the_table(args, expected):
    keys = split_keys(*args)
    assert (keys["key_train"], keys["key_evaluation"], keys["key_test"]) == expected


def test_split_keys_rejects_validation_without_test():
    with pytest.raises(InvalidArgument, match="has_validation"):
        split_keys(True, False, None)


def test_label_strata_follow_the_kind_of_label():
    iris = load_iris().target
    np.testing.assert_array_equal(
        label_strata(iris[:, None], continuous=False, bin_count=None), iris
    )
    onehot = np.eye(3)[iris]
    np.testing.assert_array_equal(label_strata(onehot, continuous=False, bin_count=None), iris)
    target = load_diabetes().target[:, None]
    assert label_strata(target, continuous=True, bin_count=None) is None
    bins = label_strata(target, continuous=True, bin_count=4)
    assert sorted(np.unique(bins).tolist()) == [0, 1, 2, 3]


def test_column_strata_bin_floats_and_keep_classes():
    classes = np.array(["a", "b", "a", "c"])
    np.testing.assert_array_equal(column_strata(classes, column="x", bin_count=None), classes)
    floats = load_diabetes().data[:, 0]
    assert len(np.unique(column_strata(floats, column="age", bin_count=3))) == 3
    with pytest.raises(InvalidArgument, match="'age' is continuous; pass bin_count"):
        column_strata(floats, column="age", bin_count=None)


def test_every_fold_keeps_the_shared_validation_and_test_splits():
    target = load_iris().target
    samples = split_samples(150, target, size_test=0.2, size_validation=0.2, random_state=0)
    folds = make_folds(samples["train"], target, 3, random_state=0)
    stored = fold_samples(folds, samples)
    assert len(stored) == 3
    for fold, row in zip(folds, stored, strict=True):
        assert set(row) == {"folds_train_combined", "fold_validation", "validation", "test"}
        assert row["fold_validation"] == fold["fold_validation"].tolist()
        assert row["test"] == samples["test"].tolist()
        assert all(type(index) is int for index in row["validation"])
    assert stored[0]["test"] is not stored[1]["test"]  # each row owns its lists
    no_holdout = split_samples(150, target, size_test=None, size_validation=None)
    only_train = fold_samples(make_folds(no_holdout["train"], target, 3), no_holdout)
    assert set(only_train[0]) == {"folds_train_combined", "fold_validation"}
