"""Where a model version came from, as a tree: ``v.lineage()``.

version -> Predictor -> Job (hyperparameters, fold) -> Queue -> Algorithm, and Splitset
(sizes, fitted coders, the Fold trained on) -> Features and Label (their preprocessing)
-> Datasets with their sha256. A version's records are listed beside its Predictor. Rows
deleted since the version was registered appear as nodes marked ``missing``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from assay.orm.base import BaseModel
from assay.orm.dataset import Dataset
from assay.registry.records import dataset_record

if TYPE_CHECKING:
    from assay.orm.algorithm import Algorithm
    from assay.orm.feature import Feature
    from assay.orm.label import Label
    from assay.orm.predictor import Predictor
    from assay.orm.queue import Queue
    from assay.orm.run import Job
    from assay.orm.splitset import Fold, Splitset
    from assay.registry.tables import ModelVersion


@dataclass
class Lineage:
    """One node of the tree: a row (its kind and id), what matters about it, its sources."""

    kind: str
    id: int | None
    details: dict[str, Any] = field(default_factory=dict)
    sources: list[Lineage] = field(default_factory=list)

    def find(self, kind: str) -> list[Lineage]:
        """Every node of ``kind`` in this tree, depth first (e.g. ``find("Dataset")``)."""
        found = [self] if self.kind == kind else []
        for source in self.sources:
            found.extend(source.find(kind))
        return found

    def to_dict(self) -> dict[str, Any]:
        """The tree as nested dicts: ``kind``, ``id``, the details, and ``sources``."""
        return {
            "kind": self.kind,
            "id": self.id,
            **self.details,
            "sources": [source.to_dict() for source in self.sources],
        }

    @classmethod
    def from_dict(cls, tree: dict[str, Any]) -> Lineage:
        """The tree that ``to_dict`` gave (e.g. from the server's ``/lineage`` route)."""
        details = {
            key: value for key, value in tree.items() if key not in ("kind", "id", "sources")
        }
        sources = [cls.from_dict(source) for source in tree.get("sources", [])]
        return cls(tree["kind"], tree["id"], details, sources)

    def __repr__(self) -> str:
        return "\n".join(self.lines())

    def lines(self) -> list[str]:
        """The tree drawn line by line, a node per line, sources indented under it."""
        label = f"{self.kind} {self.id}" if self.id is not None else self.kind
        shown = ", ".join(
            f"{key}={value!r}" for key, value in self.details.items() if value is not None
        )
        out = [f"{label}: {shown}" if shown else label]
        for i, source in enumerate(self.sources):
            last = i == len(self.sources) - 1
            first, rest = ("└── ", "    ") if last else ("├── ", "│   ")
            below = source.lines()
            out.append(first + below[0])
            out.extend(rest + line for line in below[1:])
        return out


def lineage(version: ModelVersion) -> Lineage:
    """The lineage of a version, from its Predictor (if it has one) and its records."""
    from assay.orm.predictor import Predictor

    model = version.model
    node = Lineage(
        "ModelVersion",
        version.id,
        {"model": model.name, "version": version.version, "published": version.is_published},
    )
    if version.predictor_id is not None:
        predictor = find_row(Predictor, version.predictor_id)
        node.sources.append(
            predictor_node(predictor)
            if predictor is not None
            else Lineage("Predictor", version.predictor_id, {"missing": True})
        )
    node.sources.extend(record_node(record) for record in version.records)
    return node


def find_row(table: type[BaseModel], id: int) -> Any:
    """The row, or None once it has been deleted."""
    from assay.errors import NotFound

    try:
        return table.get_by_id(id)
    except NotFound:
        return None


def predictor_node(predictor: Predictor) -> Lineage:
    """A Predictor and the Job that trained it."""
    trained = predictor.time_succeeded
    details = {
        "library": predictor.library,
        "trained": trained.isoformat(timespec="seconds") if trained else None,
        "repeat": predictor.repeat_index,
    }
    return Lineage("Predictor", predictor.id, details, [job_node(predictor.job)])


def job_node(job: Job) -> Lineage:
    """A Job: its hyperparameters and fold, and its Queue."""
    fold = job.fold
    details = {"hyperparameters": job.hyperparameters(), "fold": None if fold is None else fold.idx}
    return Lineage("Job", job.id, details, [queue_node(job.queue, fold)])


def queue_node(queue: Queue, fold: Fold | None) -> Lineage:
    """A Queue, its Algorithm and the Splitset it trained on."""
    details = {"name": queue.name, "repeat_count": queue.repeat_count}
    sources = [algorithm_node(queue.algorithm), splitset_node(queue.splitset, fold)]
    return Lineage("Queue", queue.id, details, sources)


def algorithm_node(algorithm: Algorithm) -> Lineage:
    """An Algorithm: its library and analysis type."""
    details = {"library": algorithm.library, "analysis_type": algorithm.analysis_type}
    return Lineage("Algorithm", algorithm.id, details)


def splitset_node(splitset: Splitset, fold: Fold | None) -> Lineage:
    """A Splitset with its fitted coders, the Fold trained on, its Features and Label."""
    details = {
        "sizes": splitset.sizes,
        "fold_count": splitset.fold_count,
        "fitted_featurecoders": coder_names(splitset.fitted_featurecoders),
        "fitted_labelcoder": coder_names(splitset.fitted_labelcoder),
    }
    sources = []
    if fold is not None:
        fold_details = {
            "idx": fold.idx,
            "fitted_featurecoders": coder_names(fold.fitted_featurecoders),
            "fitted_labelcoder": coder_names(fold.fitted_labelcoder),
        }
        sources.append(Lineage("Fold", fold.id, fold_details))
    sources.extend(feature_node(feature) for feature in splitset.features)
    if splitset.label is not None:
        sources.append(label_node(splitset.label))
    return Lineage("Splitset", splitset.id, details, sources)


def coder_names(fitted: Any) -> Any:
    """Fitted coders by class name, in their nesting (``[["StandardScaler"]]``)."""
    if fitted is None:
        return None
    if isinstance(fitted, list | tuple):
        return [coder_names(item) for item in fitted]
    return type(fitted).__name__


def feature_node(feature: Feature) -> Lineage:
    """A Feature: its columns, its preprocessing, and its Dataset."""
    details = {"columns": feature.columns, "preprocessing": feature_steps(feature)}
    return Lineage("Feature", feature.id, details, [dataset_node(feature.dataset)])


def label_node(label: Label) -> Lineage:
    """A Label: its columns, its preprocessing, and its Dataset."""
    details = {"columns": label.columns, "preprocessing": label_steps(label)}
    return Lineage("Label", label.id, details, [dataset_node(label.dataset)])


def feature_steps(feature: Feature) -> list[str]:
    """A Feature's preprocessing, step by step, in words."""
    steps = [f"interpolate {row.interpolate_kwargs}" for row in feature.featureinterpolaters]
    steps += [
        f"encode {row.matching_columns} with {row.sklearn_preprocess!r}"
        for row in feature.featurecoders
    ]
    steps += [f"window of {row.size_window} shifted by {row.size_shift}" for row in feature.windows]
    steps += [f"reshape {row.reshape_indices!r}" for row in feature.featureshapers]
    return steps


def label_steps(label: Label) -> list[str]:
    """A Label's preprocessing, step by step, in words."""
    steps = [f"interpolate {row.interpolate_kwargs}" for row in label.labelinterpolaters]
    steps += [f"encode with {row.sklearn_preprocess!r}" for row in label.labelcoders]
    return steps


def dataset_node(dataset: Dataset) -> Lineage:
    """A Dataset: name, version, kind and the sha256 of its bytes."""
    details = dataset_record(dataset)
    del details["dataset_id"]
    return Lineage("Dataset", dataset.id, {**details, "typ": dataset.typ})


def record_node(record: dict[str, Any]) -> Lineage:
    """A version's record: an assay Dataset (checked against its sha256) or a reference."""
    if "reference" in record:
        return Lineage("Reference", None, {"reference": record["reference"]})
    dataset = find_row(Dataset, record["dataset_id"])
    details = {key: record.get(key) for key in ("name", "version", "sha256")}
    if dataset is None:
        details["missing"] = True
    elif dataset.sha256_hexdigest != record["sha256"]:
        details["changed_to"] = dataset.sha256_hexdigest
    return Lineage("Record", record["dataset_id"], details)
