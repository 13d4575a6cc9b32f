"""The samples-cache service: how a Splitset's splits are preprocessed, written and read.

- ``resolve_preprocessing`` is the one place that decides which steps and which fitted
  coders apply to a set of splits: a Splitset's own (fitted on ``train``), a Fold's (fitted
  on ``folds_train_combined``), or, for an inference Splitset, those its Predictor was
  trained with.
- ``cache_samples`` preprocesses every split and fold once (``write_splits`` each) and marks
  the cache hot; ``cache_once`` does it once per host when workers start together.
- ``read_split`` hands back one split's arrays, caching first when the cache is cold.

The files themselves are ``assay.store.cache``'s; the rows are passed in, and their writes
go through ``assay.store.transaction``.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from sqlalchemy import update

from assay.errors import InvalidArgument
from assay.store import cache, on_rollback, transaction

if TYPE_CHECKING:
    from assay.orm.label import Label
    from assay.orm.loading import FeatureRows, LabelRows
    from assay.orm.splitset import Fold, Splitset
    from assay.preprocess.fitted import FittedSteps
    from assay.preprocess.pipeline import Steps

FOLD_TRAIN_KEY = "folds_train_combined"
SPLITSET_TRAIN_KEY = "train"


def resolve_preprocessing(splitset: Splitset, fold: Fold | None = None) -> FittedSteps:
    """How the samples of a Splitset (or one of its Folds) are preprocessed, coders fitted.

    A Splitset's own coders are fitted on ``train``, a Fold's on ``folds_train_combined``;
    an inference Splitset takes the steps and fitted coders of its Predictor's Fold, or of
    the Splitset it was trained on. Coders never fitted yet are fitted by caching that
    Splitset's samples first.

    Args:
        splitset: A Splitset, or an inference Splitset (made with ``predictor_id``).
        fold: One of ``splitset``'s Folds, or None for the Splitset's own splits.
    """
    if splitset.predictor_id is not None:
        return _for_inference(splitset)
    source = _fitted(splitset, fold)
    train_key = SPLITSET_TRAIN_KEY if fold is None else FOLD_TRAIN_KEY
    steps = recipe(*rows_of(splitset)).to_fit(train_key)
    return steps.with_fitted(source.fitted_featurecoders, source.fitted_labelcoder)


def _fitted(splitset: Splitset, fold: Fold | None) -> Any:
    """The row (the Splitset, or the Fold) holding the fitted coders, caching if none yet."""
    source: Any = splitset if fold is None else fold
    if source.fitted_featurecoders is None:
        # Maybe cached since this row was read (reading a cold split caches); else cache now.
        source = type(source).get_by_id(source.id)
        if source.fitted_featurecoders is None:
            splitset.cache_samples()
            source = type(source).get_by_id(source.id)
    return source


def _for_inference(splitset: Splitset) -> FittedSteps:
    """An inference Splitset's preprocessing: the trained steps and coders, its own Windows."""
    from assay.orm.loading import load_label, load_predictor, load_windows
    from assay.preprocess.pipeline import Windows

    _, trained = load_predictor(splitset.predictor_id)
    source = _fitted(trained.splitset, trained.fold)
    steps = recipe(*rows_of(trained.splitset))
    windows = [
        None if row is None else Windows(row.unshifted_indices(), row.shifted_indices())
        for row in load_windows(splitset.feature_ids)
    ]
    label = steps.label
    if label is None and splitset.label_id is not None:
        # The trained Label's steps apply to new targets; without one, the new Label's own.
        label = load_label(splitset.label_id).steps()
    return dataclasses.replace(
        steps,
        features=[
            dataclasses.replace(own, windows=window)
            for own, window in zip(steps.features, windows, strict=True)
        ],
        label=label,
        has_label=splitset.label_id is not None,
        train_key=None,
        fitted_features=source.fitted_featurecoders,
        fitted_label=source.fitted_labelcoder,
    )


def rows_of(splitset: Splitset) -> tuple[list[FeatureRows], LabelRows | None]:
    """A Splitset's Features and Label with their preprocessing rows (four statements)."""
    from assay.orm.loading import load_features, load_label

    return load_features(splitset.feature_ids), load_label(splitset.label_id)


def recipe(features: list[FeatureRows], label: LabelRows | None) -> FittedSteps:
    """The recorded steps of some Features and a Label, not fitted (``train_key`` None)."""
    from assay.preprocess.fitted import FittedSteps

    feature_steps = [rows.steps() for rows in features]
    return FittedSteps(
        features=feature_steps,
        label=None if label is None else label.steps(),
        has_label=label is not None,
        fitted_features=None,
        fitted_label=None,
        train_key=None,
        class_names=class_names(None if label is None else label.label),
        feature_names=[
            rows.encoded_column_names(steps)
            for rows, steps in zip(features, feature_steps, strict=True)
        ],
        image_features=frozenset(
            at for at, rows in enumerate(features) if rows.dataset.typ == "image"
        ),
        feature_ids=[rows.feature.id for rows in features],
        target_feature=target_feature(feature_steps),
    )


def class_names(label: Label | None) -> list[Any] | None:
    """The classes in ordinal order (what index i of a prediction means), or None."""
    if label is None or label.is_continuous():
        return None
    if label.column_count > 1:
        return list(label.columns)
    return list(label.unique_classes)


def target_feature(steps: list[Steps]) -> int | None:
    """The position of the first Feature whose windows have a future (targets), or None."""
    for at, one in enumerate(steps):
        if one.windows is not None and one.windows.shifted is not None:
            return at
    return None


# -- building the cache ---------------------------------------------------------------------


@dataclass(frozen=True)
class RawData:
    """The Features' and Label's data, loaded once for every split and fold."""

    features: list[Any]
    label: Any


def cache_samples(splitset: Splitset) -> Splitset:
    """Preprocess every split (and every fold) once and write the arrays to the cache.

    Each Fold is fitted on its ``folds_train_combined`` samples, the Splitset itself on
    ``train``, and their fitted coders are stored on their rows; an inference Splitset
    reuses its Predictor's. The cache is marked hot only once every file is in place, so an
    interrupted run never looks done.

    Returns:
        ``splitset``, with its ``cache_hot`` and fitted coders as written.
    """
    root = Path(splitset.cache_path)
    cache.clear(root)
    # Inside a caller's transaction (e.g. Inference) this Splitset may never land; then its
    # cache folder must not stay behind either.
    on_rollback(lambda: cache.clear(root))
    features, label = rows_of(splitset)
    raw = raw_data(features, label)
    updates: dict[str, Any] = {}
    fold_updates: list[dict[str, Any]] = []
    if splitset.predictor_id is not None:
        write_splits(root, None, splitset.samples, resolve_preprocessing(splitset), raw)
    else:
        steps = recipe(features, label)
        fitted = write_splits(root, None, splitset.samples, steps.to_fit(SPLITSET_TRAIN_KEY), raw)
        updates = coder_columns(fitted)
        folds = splitset.folds
        for fold in folds:
            fitted = write_splits(root, fold.idx, fold.samples, steps.to_fit(FOLD_TRAIN_KEY), raw)
            fold_updates.append({"id": fold.id, **coder_columns(fitted)})
    cache.mark_hot(root)
    values = {**updates, "cache_hot": True}
    model = type(splitset)
    with transaction() as db:
        db.execute(update(model).where(model.id == splitset.id).values(**values))
        if fold_updates:
            db.execute(update(type(folds[0])), fold_updates)  # by primary key, one statement
    for key, value in values.items():
        setattr(splitset, key, value)
    return splitset


def raw_data(features: list[FeatureRows], label: LabelRows | None) -> RawData:
    """The Features' data as preprocessing takes it (a DataFrame or an N-D array), the Label's.

    A Tabular Dataset that several of them draw from is read once.
    """
    selections = [(rows.feature.columns, rows.dataset) for rows in features]
    if label is not None:
        selections.append((label.label.columns, label.dataset))
    wanted: dict[int, list[str]] = {}
    for columns, dataset in selections:
        if dataset.typ == "tabular":
            known = wanted.setdefault(dataset.id, [])
            known.extend(column for column in columns if column not in known)
    frames = {
        dataset.id: dataset.to_df(columns=wanted[dataset.id])
        for _, dataset in selections
        if dataset.typ == "tabular"
    }

    def read(columns: list[str], dataset: Any) -> Any:
        if dataset.typ == "tabular":
            return frames[dataset.id][list(columns)]
        return dataset.to_arr(columns=list(columns))

    data = [read(columns, dataset) for columns, dataset in selections]
    return RawData(data[: len(features)], None if label is None else data[-1])


def coder_columns(fitted: FittedSteps) -> dict[str, Any]:
    """The row columns that store a Splitset's or a Fold's fitted coders."""
    return {
        "fitted_featurecoders": fitted.fitted_features,
        "fitted_labelcoder": fitted.fitted_label,
    }


def write_splits(
    root: Path,
    fold_index: int | None,
    samples: dict[str, list[int]],
    steps: FittedSteps,
    raw: RawData,
) -> FittedSteps:
    """Preprocess one set of splits (the Splitset's, or a Fold's) and write them to the cache.

    Args:
        root: The Splitset's cache folder.
        fold_index: The Fold's index, or None for the Splitset's own splits.
        samples: Sample indices by split name.
        steps: How to preprocess: fitted coders to apply, or unfitted ones and the split to
            fit them on.
        raw: The Features' and Label's data.

    Returns:
        ``steps`` with the coders fitted (or as they were given).
    """
    from assay.preprocess.pipeline import preprocess

    splits = {name: np.asarray(rows, dtype=np.int64) for name, rows in samples.items()}
    feature_arrays, fitted_features, targets = [], [], None
    for at, feature_steps in enumerate(steps.features):
        done = preprocess(
            raw.features[at],
            splits,
            feature_steps,
            train_key=steps.train_key,
            fitted=None if steps.fitted_features is None else steps.fitted_features[at],
        )
        feature_arrays.append(done.arrays)
        fitted_features.append(done.fitted)
        if done.shifted is not None and targets is None:
            targets = done.shifted
    label_arrays, fitted_label = None, steps.fitted_label
    if raw.label is not None and steps.label is not None:
        done = preprocess(
            raw.label, splits, steps.label, train_key=steps.train_key, fitted=steps.fitted_label
        )
        label_arrays, fitted_label = done.arrays, done.fitted
    elif targets is not None:
        label_arrays = targets
    for name in splits:
        cache.write_split(
            root,
            fold_index,
            name,
            None if label_arrays is None else label_arrays[name],
            [arrays[name] for arrays in feature_arrays],
        )
    if not any(len(rows) for rows in splits.values()):
        warnings.warn("every split is empty", stacklevel=2)
    return steps.with_fitted(fitted_features, fitted_label)


def cache_once(splitset: Splitset) -> None:
    """Cache the Splitset's samples unless they are, one process of this host at a time.

    Workers that start together would otherwise each clear and rewrite the cache while
    another one trains from it.
    """
    if splitset.cache_is_hot:
        return
    with file_lock(Path(splitset.cache_path)):
        fresh = type(splitset).get_by_id(splitset.id)
        if not fresh.cache_is_hot:
            fresh.cache_samples()


@contextmanager
def file_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``<path>.lock`` (where the platform has ``fcntl``)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: no lock
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".lock"), "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# -- reading it -----------------------------------------------------------------------------


@dataclass(frozen=True)
class SplitArrays:
    """One split's preprocessed arrays: one per Feature, and the label (None if there is none).

    It unpacks as ``features, label = arrays``.
    """

    features: list[np.ndarray]
    label: np.ndarray | None

    def __iter__(self) -> Iterator[Any]:
        return iter((self.features, self.label))


def split_names(splitset: Splitset, fold: Fold | None = None) -> list[str]:
    """The splits of a Splitset, or of one of its Folds, in the order they were made."""
    return list((fold.samples if fold is not None else splitset.samples).keys())


def read_split(splitset: Splitset, split: str, fold: Fold | None = None) -> SplitArrays:
    """One split's preprocessed arrays, from the cache (caching every split first if cold).

    Args:
        splitset: The Splitset.
        split: One of its splits, or of the Fold's.
        fold: One of the Splitset's Folds, or None for the Splitset's own splits.

    Raises:
        InvalidArgument: A split that the Splitset (or Fold) does not have.
    """
    names = split_names(splitset, fold)
    if split not in names:
        raise InvalidArgument(f"split must be one of {sorted(names)}; got {split!r}.")
    if not splitset.cache_is_hot:
        splitset.cache_samples()
    features, label = cache.read_split(
        Path(splitset.cache_path), None if fold is None else fold.idx, split
    )
    return SplitArrays(features, label)
