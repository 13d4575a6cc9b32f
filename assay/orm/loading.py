"""Reads for services: the rows a training run or a preprocessing needs, in few statements.

A row's properties (``job.queue``, ``feature.featurecoders``, ``feature.window``...) each send
a statement when read, and caching, training and evaluating read them all, for every Feature
of a Splitset, run after run. These loaders read the same rows at once: one joined statement
where each row has at most one of a kind (a run's Job, Queue, Splitset, Algorithm,
Hyperparamcombo and Fold; a Feature's Dataset, Window and FeatureShaper; a Label's Dataset,
LabelCoder and LabelInterpolater), one statement per table family for the others.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from assay.errors import InvalidArgument, NotFound
from assay.orm.algorithm import Algorithm, Hyperparamcombo
from assay.orm.dataset import Dataset
from assay.orm.encode import FeatureCoder, LabelCoder
from assay.orm.feature import Feature
from assay.orm.interpolate import FeatureInterpolater, LabelInterpolater
from assay.orm.label import Label
from assay.orm.predictor import Predictor
from assay.orm.preprocessing import feature_steps, label_steps
from assay.orm.queue import Queue
from assay.orm.run import Job, Run
from assay.orm.shape import FeatureShaper
from assay.orm.splitset import Fold, Splitset
from assay.orm.window import Window
from assay.store import reading

if TYPE_CHECKING:
    from assay.preprocess.pipeline import Steps


@dataclass(frozen=True)
class TrainingRows:
    """What a Job trains with: its Queue, Splitset, Algorithm, Hyperparamcombo and Fold."""

    job: Job
    queue: Queue
    splitset: Splitset
    algorithm: Algorithm
    hyperparamcombo: Hyperparamcombo | None
    fold: Fold | None

    def hyperparameters(self) -> dict[str, Any]:
        """The ``**hp`` the Job passes to the Algorithm's functions (``Job.hyperparameters``)."""
        combo = self.hyperparamcombo
        return {} if combo is None else dict(combo.hyperparameters)


def _training(first: Any, link: Any, row_id: int, what: str) -> tuple[Any, TrainingRows]:
    """One row (a Run or a Predictor) with the rows of its Job, in one statement."""
    if isinstance(row_id, bool) or not isinstance(row_id, int):
        raise InvalidArgument(f"id must be an int; got {type(row_id).__name__} {row_id!r}.")
    statement = (
        select(first, Job, Queue, Splitset, Algorithm, Hyperparamcombo, Fold)
        .join(Job, link == Job.id)
        .join(Queue, Job.queue_id == Queue.id)
        .join(Splitset, Queue.splitset_id == Splitset.id)
        .join(Algorithm, Queue.algorithm_id == Algorithm.id)
        .outerjoin(Hyperparamcombo, Job.hyperparamcombo_id == Hyperparamcombo.id)
        .outerjoin(Fold, Job.fold_id == Fold.id)
        .where(first.id == row_id)
    )
    with reading() as db:
        found = db.execute(statement).first()
    if found is None:
        raise NotFound(f"{what} with id {row_id} does not exist.")
    row, *rest = found
    return row, TrainingRows(*rest)


def load_run(run_id: int) -> tuple[Run, TrainingRows]:
    """A Run and what its Job trains with, in one statement.

    Raises:
        NotFound: When the Run does not exist.
    """
    return _training(Run, Run.job_id, run_id, "Run")


def load_predictor(predictor_id: int) -> tuple[Predictor, TrainingRows]:
    """A Predictor and what its Job trained with, in one statement.

    Raises:
        NotFound: When the Predictor does not exist.
    """
    return _training(Predictor, Predictor.job_id, predictor_id, "Predictor")


@dataclass(frozen=True)
class FeatureRows:
    """A Feature with its Dataset and the rows of its preprocessing."""

    feature: Feature
    dataset: Dataset
    interpolaters: list[FeatureInterpolater]
    coders: list[FeatureCoder]  # in the order they apply: imputers first, then by idx
    window: Window | None
    shaper: FeatureShaper | None

    def steps(self) -> Steps:
        """What ``Feature.steps()`` gives, from these rows."""
        return feature_steps(
            self.feature.columns, self.interpolaters, self.coders, self.window, self.shaper
        )

    def encoded_column_names(self, steps: Steps) -> list[str]:
        """What ``Feature.encoded_column_names()`` gives, from these rows and their steps."""
        from assay.preprocess.pipeline import encoded_columns

        return encoded_columns(steps, [row.encoded_column_names for row in self.coders])


@dataclass(frozen=True)
class LabelRows:
    """A Label with its Dataset and the rows of its preprocessing."""

    label: Label
    dataset: Dataset
    interpolaters: list[LabelInterpolater]
    coders: list[LabelCoder]

    def steps(self) -> Steps:
        """What ``Label.steps()`` gives, from these rows."""
        return label_steps(self.label.columns, self.interpolaters, self.coders)


def load_features(feature_ids: list[int]) -> list[FeatureRows]:
    """Features with their Datasets and preprocessing rows, in ``feature_ids`` order.

    Three statements, however many Features: Features with their Dataset, Window and
    FeatureShaper; every FeatureCoder; every FeatureInterpolater.

    Raises:
        NotFound: When a Feature does not exist.
    """
    ids = [int(feature_id) for feature_id in feature_ids]
    with reading() as db:
        found = {
            feature.id: (feature, dataset, window, shaper)
            for feature, dataset, window, shaper in db.execute(
                select(Feature, Dataset, Window, FeatureShaper)
                .join(Dataset, Feature.dataset_id == Dataset.id)
                .outerjoin(Window, Window.feature_id == Feature.id)
                .outerjoin(FeatureShaper, FeatureShaper.feature_id == Feature.id)
                .where(Feature.id.in_(ids))
            )
        }
        coders = _by_feature(
            db.scalars(
                select(FeatureCoder)
                .where(FeatureCoder.feature_id.in_(ids))
                .order_by(FeatureCoder.idx)
            )
        )
        interpolaters = _by_feature(
            db.scalars(
                select(FeatureInterpolater)
                .where(FeatureInterpolater.feature_id.in_(ids))
                .order_by(FeatureInterpolater.idx)
            )
        )
    missing = [feature_id for feature_id in ids if feature_id not in found]
    if missing:
        raise NotFound(f"Feature with id {missing[0]} does not exist.")
    rows = []
    for feature_id in ids:
        feature, dataset, window, shaper = found[feature_id]
        own = coders.get(feature_id, [])
        rows.append(
            FeatureRows(
                feature=feature,
                dataset=dataset,
                interpolaters=interpolaters.get(feature_id, []),
                # As Feature.featurecoders: imputers apply first, each group by idx (stable).
                coders=sorted(own, key=lambda row: not row.is_imputer),
                window=window,
                shaper=shaper,
            )
        )
    return rows


def load_label(label_id: int | None) -> LabelRows | None:
    """A Label with its Dataset, LabelCoder and LabelInterpolater (one statement); or None.

    Raises:
        NotFound: When the Label does not exist.
    """
    if label_id is None:
        return None
    with reading() as db:
        found = db.execute(
            select(Label, Dataset, LabelCoder, LabelInterpolater)
            .join(Dataset, Label.dataset_id == Dataset.id)
            .outerjoin(LabelCoder, LabelCoder.label_id == Label.id)
            .outerjoin(LabelInterpolater, LabelInterpolater.label_id == Label.id)
            .where(Label.id == label_id)
            .order_by(LabelCoder.id, LabelInterpolater.id)
        ).all()
    if not found:
        raise NotFound(f"Label with id {label_id} does not exist.")
    label, dataset = found[0][0], found[0][1]
    return LabelRows(
        label=label,
        dataset=dataset,
        interpolaters=_distinct(row[3] for row in found),
        coders=_distinct(row[2] for row in found),
    )


def load_windows(feature_ids: list[int]) -> list[Window | None]:
    """Each Feature's Window (or None), in ``feature_ids`` order; one statement."""
    with reading() as db:
        found = {
            row.feature_id: row
            for row in db.scalars(
                select(Window).where(Window.feature_id.in_(feature_ids)).order_by(Window.id.desc())
            )
        }
    return [found.get(feature_id) for feature_id in feature_ids]


def _by_feature(rows: Any) -> dict[int, list[Any]]:
    grouped: dict[int, list[Any]] = {}
    for row in rows:
        grouped.setdefault(row.feature_id, []).append(row)
    return grouped


def _distinct(rows: Any) -> list[Any]:
    """The rows of an outer join's column, each once, in order (None left out)."""
    seen: dict[int, Any] = {}
    for row in rows:
        if row is not None and row.id not in seen:
            seen[row.id] = row
    return list(seen.values())
