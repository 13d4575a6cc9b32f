"""What the API sends and takes, as pydantic models: the OpenAPI schema is made from them.

Response models read the rows' attributes (``from_attributes``), so a handler returns the
row and the model picks the fields a client sees.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Out(BaseModel):
    """A response made from a row's attributes."""

    model_config = ConfigDict(from_attributes=True)


class Me(Out):
    """The caller, as its token says."""

    user: str
    context: str
    role: str
    permissions: list[str]


class DatasetOut(Out):
    """A Dataset: what it holds and how it is stored."""

    id: int
    name: str | None
    version: int | None
    typ: str
    source_format: str
    columns: list[str]
    shape: dict[str, int]
    sha256_hexdigest: str
    memory_MB: float
    contains_nan: bool
    is_ingested: bool
    description: str | None
    time_created: datetime


class Record(BaseModel):
    """One row of a Dataset: its position, and its value in each column."""

    sample: int
    values: dict[str, Any]


class QueueOut(Out):
    """A Queue: what it trains and how far its runs are."""

    id: int
    name: str | None
    description: str | None
    algorithm_id: int
    splitset_id: int
    hyperparamset_id: int | None
    repeat_count: int
    total_runs: int
    time_created: datetime
    runs_by_status: dict[str, int] = Field(default_factory=dict)


class RunOut(Out):
    """A run: its status and message, and how many epochs it has written so far."""

    id: int
    queue_id: int
    job_id: int
    repeat_index: int
    status: str
    message: str | None
    time_started: datetime | None
    time_ended: datetime | None
    host: str | None
    performance: dict[str, Any] | None
    epoch_count: int = 0


class EpochOut(Out):
    """One epoch of a run's history."""

    epoch: int
    metrics: dict[str, Any]


class PredictionOut(BaseModel):
    """A Prediction: its splits, class names and metrics per split."""

    id: int
    predictor_id: int
    splitset_id: int
    queue_id: int
    splits: list[str]
    class_names: list[str] | None
    metrics: dict[str, Any]
    metrics_aggregate: dict[str, Any] | None


class ConfusionOut(BaseModel):
    """A confusion matrix per split: rows are true classes, columns predicted ones."""

    class_names: list[str]
    matrices: dict[str, list[list[int]]]


class ModelIn(BaseModel):
    """A new model."""

    name: str
    tags: list[str] | str | None = None
    description: str | None = None


class ModelEdit(BaseModel):
    """Changes to a model; a field left out stays as it is."""

    name: str | None = None
    tags: list[str] | str | None = None
    description: str | None = None
    is_starred: bool | None = None


class ModelOut(Out):
    """A registered model."""

    id: int
    name: str
    context: str
    tags: list[str]
    description: str | None
    is_starred: bool
    last_version: int
    created_by: str
    updated_by: str
    time_created: datetime
    time_updated: datetime
    version_numbers: list[int] = Field(default_factory=list)


class FormatOut(Out):
    """The file of one format of a version."""

    format_id: str
    sha256: str
    size: int
    filename: str | None
    time_created: datetime
    time_updated: datetime
    created_by: str
    updated_by: str


class VersionIn(BaseModel):
    """A new version."""

    description: str | None = None
    tags: list[str] | str | None = None
    hyperparameters: Any = None
    config: dict[str, Any] | None = None
    records: list[Any] | None = None


class VersionEdit(BaseModel):
    """Changes to an unpublished version; a field left out stays as it is."""

    description: str | None = None
    tags: list[str] | str | None = None
    hyperparameters: Any = None
    config: dict[str, Any] | None = None
    records: list[Any] | None = None
    performance: Any = None
    is_starred: bool | None = None


class VersionOut(Out):
    """A numbered version of a model, with its files."""

    id: int
    model_id: int
    version: int
    description: str | None
    tags: list[str]
    hyperparameters: Any
    config: dict[str, Any]
    records: list[Any]
    performance: Any
    predictor_id: int | None
    is_starred: bool
    is_published: bool
    time_published: datetime | None
    published_by: str | None
    created_by: str
    updated_by: str
    time_created: datetime
    time_updated: datetime
    formats: list[FormatOut] = Field(default_factory=list)


class FormatKind(BaseModel):
    """A model format the registry knows."""

    id: str
    description: str
    suffix: str


class AuditOut(Out):
    """One change to the registry: who, when, what, before and after."""

    id: int
    time_created: datetime
    user: str
    action: str
    context: str
    model_id: int
    model_name: str
    version_id: int | None
    version: int | None
    format_id: str | None
    forced: bool
    before: Any
    after: Any


class Deleted(BaseModel):
    """How many rows of each kind a deletion removed."""

    deleted: dict[str, int]


class TokenIn(BaseModel):
    """A new token for the caller's context."""

    user: str
    role: str = "viewer"
    expires: str | None = Field(None, description="A lifetime such as '30d' or '12h'.")


class TokenOut(Out):
    """A token as listed: never its secret."""

    id: int
    user: str
    context: str
    role: str
    prefix: str
    time_created: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None


class TokenCreated(TokenOut):
    """A token just made, with its secret: shown this once."""

    token: str
