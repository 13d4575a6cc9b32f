"""Stratified splits and cross-validation folds over sample indices.

A Splitset divides the samples into train, validation and test, and optionally divides the
train split into folds, keeping the proportions of each class (or each quantile bin of a
continuous column) the same in every part. These are pure functions over arrays: the ORM
stores what they return in ``Splitset.samples`` and ``Fold.samples``.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
from sklearn.model_selection import KFold, StratifiedKFold, train_test_split

from assay.errors import InvalidArgument

KINDS = ("categorical", "continuous", "onehot")

#: A fold's validation set should hold at least this many members of each class (or bin),
#: on average; with fewer, a class can easily be missing from a fold and its scores mislead.
MIN_CLASS_PER_FOLD = 3
#: A fold's validation set should hold at least this many samples in all.
MIN_FOLD_SAMPLES = 10


class SmallFoldWarning(UserWarning):
    """Folds are so small that a class can be missing from one or scores swing on one sample."""


def stratify_values(
    label: np.ndarray | None, *, kind: str, bin_count: int | None = None
) -> np.ndarray | None:
    """The per-sample values to stratify on.

    Args:
        label: The label (or the unsupervised stratification column), one row per sample;
            ``None`` when there is nothing to stratify on.
        kind: ``'categorical'`` stratifies by class (a 1D array or a single-column 2D array);
            ``'continuous'`` by ``bin_count`` quantile bins (``pd.qcut`` with
            ``duplicates='drop'``); ``'onehot'`` by the class of a 2D one-hot array.
        bin_count: How many quantile bins for ``kind='continuous'``.

    Returns:
        A 1D array with one value per sample, or ``None`` when ``label`` is ``None``.

    Raises:
        InvalidArgument: For an unknown kind, a label of the wrong shape, or a missing or
            invalid ``bin_count``.
    """
    if kind not in KINDS:
        raise InvalidArgument(f"kind must be one of {', '.join(KINDS)}; got {kind!r}.")
    if label is None:
        return None
    values = np.asarray(label)
    if kind == "onehot":
        if values.ndim != 2 or values.shape[1] < 2:
            raise InvalidArgument(
                "label for kind='onehot' must be a 2D array with one column per class; "
                f"got shape {values.shape}."
            )
        return np.argmax(values, axis=1)
    values = _one_column(values, kind)
    if kind == "categorical":
        return values
    if (
        bin_count is None
        or isinstance(bin_count, bool)
        or not isinstance(bin_count, (int, np.integer))
    ):
        raise InvalidArgument(
            f"bin_count must be an int of at least 2 for kind='continuous'; got {bin_count!r}."
        )
    if bin_count < 2:
        raise InvalidArgument(
            f"bin_count must be at least 2 for kind='continuous'; got {bin_count}."
        )
    try:
        bins = pd.qcut(x=values.astype(float), q=int(bin_count), labels=False, duplicates="drop")
    except (TypeError, ValueError) as exc:
        raise InvalidArgument(
            f"label for kind='continuous' must be numeric; got dtype {values.dtype} ({exc})."
        ) from exc
    bins = np.asarray(bins)
    if np.isnan(bins).any():
        raise InvalidArgument(
            "label for kind='continuous' contains missing values, which cannot be binned; "
            "interpolate or drop them first."
        )
    return bins.astype(np.int64)


def label_strata(
    values: np.ndarray, *, continuous: bool, bin_count: int | None
) -> np.ndarray | None:
    """One stratum per sample of a Label: its class, its one-hot column, or its quantile bin.

    Args:
        values: The Label's values, one row per sample and one column per Label column;
            several columns are a one-hot label.
        continuous: Whether the Label holds continuous values (a regression target).
        bin_count: Quantile bins for continuous values; None leaves them unstratified.

    Returns:
        One value per sample (see :func:`stratify_values`), or None when not stratified.
    """
    values = np.asarray(values)
    if values.ndim == 2 and values.shape[1] > 1:
        return stratify_values(values, kind="onehot")
    if not continuous:
        return stratify_values(values, kind="categorical")
    if bin_count is None:
        return None
    return stratify_values(values, kind="continuous", bin_count=bin_count)


def column_strata(values: np.ndarray, *, column: str, bin_count: int | None) -> np.ndarray:
    """One stratum per sample of an unsupervised Splitset's column: its class or its bin.

    Args:
        values: The column's values, one per sample.
        column: Its name, for the message.
        bin_count: Quantile bins, which a column of floats needs.

    Raises:
        InvalidArgument: A column of floats without ``bin_count``.
    """
    values = np.asarray(values)
    if not np.issubdtype(values.dtype, np.floating):
        return stratify_values(values, kind="categorical")
    if bin_count is None:
        raise InvalidArgument(
            f"unsupervised_stratify_col {column!r} is continuous; pass bin_count to "
            "stratify it by quantile bins."
        )
    return stratify_values(values, kind="continuous", bin_count=bin_count)


def _one_column(values: np.ndarray, kind: str) -> np.ndarray:
    if values.ndim == 2 and values.shape[1] == 1:
        return values[:, 0]
    if values.ndim != 1:
        raise InvalidArgument(
            f"label for kind={kind!r} must be 1D or a single column; got shape {values.shape}; "
            "use kind='onehot' for a one-hot label."
        )
    return values


def _show(value: object) -> str:
    """A class value as users wrote it: ``1`` or ``'a'``, not ``np.int64(1)``."""
    return repr(value.item() if isinstance(value, np.generic) else value)


def check_sizes(
    size_test: float | None, size_validation: float | None
) -> tuple[float | None, float | None]:
    """Check the split sizes of a Splitset.

    Args:
        size_test: Fraction of all samples for the test split, or ``None``; a Python or
            numpy number (``np.float32(0.2)``).
        size_validation: Fraction of all samples for the validation split, or ``None``.

    Returns:
        ``(size_test, size_validation)`` as Python floats (or None), which scikit-learn and
        JSON take.

    Raises:
        InvalidArgument: When a size is not above 0 and below 1, when they sum to 1 or more
            (nothing would be left to train on), or when a validation split is asked for
            without a test split.
    """
    for name, size in (("size_test", size_test), ("size_validation", size_validation)):
        if size is None:
            continue
        if isinstance(size, bool) or not isinstance(size, (int, float, np.integer, np.floating)):
            raise InvalidArgument(f"{name} must be a float above 0 and below 1; got {size!r}.")
        if not 0 < size < 1:
            raise InvalidArgument(f"{name} must be above 0.0 and below 1.0; got {size!r}.")
    if size_validation is not None and size_test is None:
        raise InvalidArgument(
            f"size_validation={size_validation!r} needs a test split too; "
            "give size_test as well (validation comes out of what the test split leaves)."
        )
    if size_test is not None and size_validation is not None and size_test + size_validation >= 1:
        raise InvalidArgument(
            f"size_test + size_validation must be below 1.0 so samples are left to train on; "
            f"got {size_test!r} + {size_validation!r} = {size_test + size_validation!r}."
        )
    return _float_or_none(size_test), _float_or_none(size_validation)


def _float_or_none(size: float | None) -> float | None:
    """A Python float; ``np.float32(0.2)`` is 0.2 as written, not the float32 nearest it."""
    if size is None:
        return None
    return float(str(size)) if isinstance(size, np.floating) else float(size)


def split_samples(
    sample_count: int,
    stratify_on: np.ndarray | None,
    *,
    size_test: float | None,
    size_validation: float | None,
    random_state: int | None = None,
) -> dict[str, np.ndarray]:
    """Divide sample indices into stratified train, validation and test splits.

    Both sizes are fractions of the whole dataset: the train split gets
    ``1 - (size_test + size_validation)``. The test split is drawn first; the validation
    split is then drawn from the rest with ``size_validation / (1 - size_test)``.

    Args:
        sample_count: How many samples there are (indices ``0 .. sample_count - 1``).
        stratify_on: One value per sample to stratify on (see :func:`stratify_values`), or
            ``None`` for a plain shuffled split.
        size_test: Fraction of samples for the test split; ``None`` puts every sample in train.
        size_validation: Fraction of samples for the validation split; needs ``size_test``.
        random_state: Seed for a reproducible split.

    Returns:
        ``{'train': ..., 'validation': ..., 'test': ...}`` (validation and test only when
        asked for), each a sorted int64 array of sample indices.

    Raises:
        InvalidArgument: For bad sizes, a ``stratify_on`` of the wrong length, or a class with
            too few samples to appear in every split.
    """
    size_test, size_validation = check_sizes(size_test, size_validation)
    if isinstance(sample_count, bool) or not isinstance(sample_count, (int, np.integer)):
        raise InvalidArgument(f"sample_count must be an int; got {sample_count!r}.")
    if sample_count < 1:
        raise InvalidArgument(f"sample_count must be at least 1; got {sample_count}.")
    strata = _strata(stratify_on, sample_count)
    indices = np.arange(sample_count, dtype=np.int64)
    if size_test is None:
        return {"train": indices}

    names = "train and test" if size_validation is None else "train, validation and test"
    sizes = f"size_test={size_test!r}" + (
        "" if size_validation is None else f" and size_validation={size_validation!r}"
    )
    _check_stratified_split(indices, strata, size_test, names, sizes, "the test split")
    rest, test = train_test_split(
        indices,
        test_size=size_test,
        stratify=None if strata is None else strata,
        random_state=random_state,
        shuffle=True,
    )
    samples = {"train": rest, "test": test}
    if size_validation is not None:
        fraction = size_validation / (1 - size_test)
        rest_strata = None if strata is None else strata[rest]
        _check_stratified_split(
            rest, rest_strata, fraction, names, sizes, "the validation split (after test)"
        )
        train, validation = train_test_split(
            rest,
            test_size=fraction,
            stratify=rest_strata,
            random_state=random_state,
            shuffle=True,
        )
        samples = {"train": train, "validation": validation, "test": test}
    return {key: np.sort(value).astype(np.int64) for key, value in samples.items()}


def _strata(stratify_on: np.ndarray | None, sample_count: int) -> np.ndarray | None:
    if stratify_on is None:
        return None
    strata = np.asarray(stratify_on)
    if strata.ndim == 2 and strata.shape[1] == 1:
        strata = strata[:, 0]
    if strata.ndim != 1 or len(strata) != sample_count:
        raise InvalidArgument(
            f"stratify_on must hold one value per sample ({sample_count}); "
            f"got shape {strata.shape}."
        )
    return strata


def _check_stratified_split(
    indices: np.ndarray,
    strata: np.ndarray | None,
    size: float,
    names: str,
    sizes: str,
    step: str,
) -> None:
    """Check, before sklearn does, that ``indices`` can be split with ``size`` held out.

    sklearn needs at least one sample in each side and, when stratifying, at least two members
    of every class and at least one sample per class on each side. It draws the kept side
    first (``n - ceil(size * n)`` samples), giving each class at least the floor of its share.
    """
    n = len(indices)
    n_out = math.ceil(size * n)
    n_keep = n - n_out
    if n_out < 1 or n_keep < 1:
        raise InvalidArgument(
            f"{n} samples are too few for {step} with {sizes}: it would leave {n_keep} to keep "
            f"and {n_out} to hold out; use more samples or other sizes."
        )
    if strata is None:
        return
    classes, counts = np.unique(strata, return_counts=True)
    # After the test split, the validation split needs >= 2 members of each class in what is
    # kept, which the allocation guarantees once floor(count * n_keep / n) >= 2.
    needs_validation = step == "the test split" and "validation" in names
    needed = max(2, math.ceil(2 * n / n_keep)) if needs_validation else 2
    for value, count in zip(classes, counts, strict=True):
        if count < needed:
            raise InvalidArgument(
                f"class {_show(value)} has {count} sample(s); splitting into {names} with {sizes} "
                f"needs at least {needed} of each class for {step}; add samples of that class, "
                "lower the split sizes, or do not stratify on it (for a continuous column, "
                "lower bin_count)."
            )
    for side, count in (("held out", n_out), ("kept", n_keep)):
        if count < len(classes):
            raise InvalidArgument(
                f"{step} with {sizes} would put {count} of {n} samples {side}, fewer than the "
                f"{len(classes)} classes to stratify on; each side needs one sample of each "
                "class: use more samples, other sizes, or fewer classes (bins)."
            )


def make_folds(
    train_indices: np.ndarray,
    stratify_on: np.ndarray | None,
    fold_count: int,
    *,
    random_state: int | None = None,
    min_class_per_fold: int = MIN_CLASS_PER_FOLD,
    min_fold_samples: int = MIN_FOLD_SAMPLES,
) -> list[dict[str, np.ndarray]]:
    """Divide the train split into stratified cross-validation folds.

    Each fold holds one bin out as ``fold_validation`` and trains on the rest,
    ``folds_train_combined``.

    A :class:`SmallFoldWarning` is emitted when folds are too small to be representative
    (see the Splitset disclaimer): when a fold's validation set holds fewer than
    ``min_fold_samples`` samples, or, when stratifying, when the rarest class (or bin) would
    have fewer than ``min_class_per_fold`` members per fold on average (``count /
    fold_count``), so that it may be missing from a fold's validation set or decided by one
    sample. The warning also says when the train split does not divide evenly by
    ``fold_count``.

    Args:
        train_indices: The absolute sample indices of the train split.
        stratify_on: One value per sample of the WHOLE dataset (the array given to
            :func:`split_samples`), indexed by absolute sample index; ``None`` for plain
            shuffled folds.
        fold_count: How many folds (at least 2).
        random_state: Seed for reproducible folds.
        min_class_per_fold: Threshold of the warning, members of each class per fold.
        min_fold_samples: Threshold of the warning, samples per fold validation set.

    Returns:
        One dict per fold with ``'folds_train_combined'`` and ``'fold_validation'``, sorted
        int64 arrays of absolute sample indices.

    Raises:
        InvalidArgument: When ``fold_count`` is below 2 or above the number of train samples,
            or a class has fewer train samples than ``fold_count``.
    """
    if isinstance(fold_count, bool) or not isinstance(fold_count, (int, np.integer)):
        raise InvalidArgument(f"fold_count must be an int of at least 2; got {fold_count!r}.")
    if fold_count < 2:
        raise InvalidArgument(
            f"fold_count must be at least 2 (one fold is no cross-validation); got {fold_count}."
        )
    train = np.asarray(train_indices, dtype=np.int64).ravel()
    n = len(train)
    if fold_count > n:
        raise InvalidArgument(
            f"fold_count={fold_count} is more than the {n} samples of the train split; "
            "lower fold_count."
        )
    strata = None
    if stratify_on is not None:
        values = np.asarray(stratify_on)
        if values.ndim == 2 and values.shape[1] == 1:
            values = values[:, 0]
        if values.ndim != 1 or (n and (train.min() < 0 or train.max() >= len(values))):
            raise InvalidArgument(
                "stratify_on must hold one value per sample of the whole dataset, indexed by "
                f"absolute sample index; got shape {values.shape} for train indices up to "
                f"{train.max() if n else None}."
            )
        strata = values[train]

    problems = []
    per_fold = n / fold_count
    if per_fold < min_fold_samples:
        problems.append(
            f"each fold_validation holds about {per_fold:.1f} samples "
            f"(fewer than {min_fold_samples})"
        )
    if strata is not None:
        classes, counts = np.unique(strata, return_counts=True)
        for value, count in zip(classes, counts, strict=True):
            if count < fold_count:
                raise InvalidArgument(
                    f"class {_show(value)} has {count} sample(s) in the train split; "
                    f"fold_count={fold_count} needs at least {fold_count} of each class so "
                    "every fold holds one; lower fold_count, add samples of that class, or do "
                    "not stratify on it (for a continuous column, lower bin_count)."
                )
        rarest = int(np.argmin(counts))
        if counts[rarest] / fold_count < min_class_per_fold:
            problems.append(
                f"class {_show(classes[rarest])} has {counts[rarest]} train samples, about "
                f"{counts[rarest] / fold_count:.1f} per fold (fewer than {min_class_per_fold}), "
                "so it may be missing from a fold"
            )
    if problems:
        uneven = (
            f"; also, {n} train samples do not divide evenly by fold_count={fold_count}"
            if n % fold_count
            else ""
        )
        warnings.warn(
            f"Folds are small: {'; '.join(problems)}{uneven}. Their scores may seem "
            "unjustifiably good or bad; use fewer folds or more samples.",
            SmallFoldWarning,
            stacklevel=2,
        )

    if strata is None:
        splitter = KFold(n_splits=fold_count, shuffle=True, random_state=random_state)
        pairs = splitter.split(train)
    else:
        splitter = StratifiedKFold(n_splits=fold_count, shuffle=True, random_state=random_state)
        pairs = splitter.split(train, strata)
    return [
        {
            "folds_train_combined": np.sort(train[fit]).astype(np.int64),
            "fold_validation": np.sort(train[held]).astype(np.int64),
        }
        for fit, held in pairs
    ]


def fold_samples(
    folds: list[dict[str, np.ndarray]], samples: dict[str, np.ndarray]
) -> list[dict[str, list[int]]]:
    """What each Fold stores: its own two parts, and the validation and test splits they share.

    Args:
        folds: What :func:`make_folds` returned.
        samples: What :func:`split_samples` returned.

    Returns:
        One dict of sample lists (JSON-ready) per fold.
    """
    shared = [split for split in ("validation", "test") if split in samples]
    return [
        {
            **{key: rows.tolist() for key, rows in fold.items()},
            **{split: samples[split].tolist() for split in shared},
        }
        for fold in folds
    ]


def split_keys(has_validation: bool, has_test: bool, fold_count: int | None) -> dict:
    """The split names a Splitset trains on, evaluates on and tests on.

    Args:
        has_validation: Whether there is a validation split.
        has_test: Whether there is a test split.
        fold_count: The number of folds, or ``None`` without cross-validation.

    Returns:
        ``{'key_train', 'key_evaluation', 'key_test'}``: train is ``'folds_train_combined'``
        with folds, else ``'train'``; evaluation is ``'fold_validation'`` with folds, else
        ``'validation'`` when there is one, else ``'test'`` when there is one, else ``None``;
        test is ``'test'`` when there is a test split, else ``None``.

    Raises:
        InvalidArgument: For a validation split without a test split, or ``fold_count`` < 2.
    """
    if has_validation and not has_test:
        raise InvalidArgument(
            "has_validation=True needs has_test=True: a Splitset has no validation split "
            "without a test split."
        )
    if fold_count is not None and (isinstance(fold_count, bool) or fold_count < 2):
        raise InvalidArgument(f"fold_count must be None or at least 2; got {fold_count!r}.")
    if fold_count is not None:
        key_train, key_evaluation = "folds_train_combined", "fold_validation"
    elif has_validation:
        key_train, key_evaluation = "train", "validation"
    elif has_test:
        key_train, key_evaluation = "train", "test"
    else:
        key_train, key_evaluation = "train", None
    return {
        "key_train": key_train,
        "key_evaluation": key_evaluation,
        "key_test": "test" if has_test else None,
    }


def describe_sizes(samples: dict[str, np.ndarray]) -> dict[str, dict[str, float | int]]:
    """Human-readable split sizes for ``Splitset.sizes``.

    Args:
        samples: What :func:`split_samples` returned.

    Returns:
        ``{split: {'percent': float, 'count': int}}``, percent of all samples in ``samples``
        as a fraction rounded to 3 places.
    """
    total = sum(len(v) for v in samples.values())
    return {
        key: {"percent": round(len(v) / total, 3) if total else 0.0, "count": len(v)}
        for key, v in samples.items()
    }
