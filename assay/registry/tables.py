"""The registry's rows: models, their numbered versions, a file per format, the stored files.

Thin as the rest of ``assay.orm``: columns, relationships declared once, and methods that
delegate to ``catalog`` (models), ``versions`` and ``files``. Every method also works on the
class with an id first (``ModelVersion.publish(7)``). The rules the database itself keeps
(published versions and their formats frozen, audit rows append-only, chunks immutable) are
triggers (``assay.registry.triggers``), created with the tables.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, Self

from sqlalchemy import JSON, BigInteger, ForeignKey, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from assay.orm.base import Base, BaseModel, UtcDateTime, id_method, related, utcnow
from assay.registry.methods import ModelMethods, VersionMethods
from assay.registry.triggers import attach as attach_triggers

if TYPE_CHECKING:
    import pandas as pd

    from assay.registry.audit import AuditEntry
    from assay.registry.lineage import Lineage

#: What ``add_format`` takes: the file's bytes, its path, or a file object open in binary mode.
Source = bytes | bytearray | memoryview | str | Path | BinaryIO


class RegisteredModel(BaseModel, ModelMethods["ModelVersion"]):
    """A named model in a context: tags, a markdown description, and up to 30 live versions."""

    __tablename__ = "registeredmodel"
    __table_args__ = (UniqueConstraint("context", "name"), {"sqlite_autoincrement": True})

    name: Mapped[str] = mapped_column(String(255), index=True)
    context: Mapped[str] = mapped_column(String(255), default="default")
    tags: Mapped[list] = mapped_column(JSON, default=list)
    created_by: Mapped[str] = mapped_column(String(255))
    updated_by: Mapped[str] = mapped_column(String(255))
    #: The highest version number ever given; numbers are never reused.
    last_version: Mapped[int] = mapped_column(default=0)

    versions_: Mapped[list[ModelVersion]] = relationship(
        "ModelVersion", viewonly=True, order_by="ModelVersion.version"
    )

    def __repr__(self) -> str:
        return f"<RegisteredModel {self.id} {self.name!r} in {self.context!r}>"

    @property
    def versions(self) -> list[ModelVersion]:
        """The live versions, by number (deleted numbers leave gaps)."""
        return related(self, "versions_")

    def _create_version(
        self, fields: dict[str, Any], formats: dict[str, Source] | None
    ) -> ModelVersion:
        from assay.registry.versions import create_version

        return create_version(self.id, **fields, formats=formats)

    create_version = id_method(ModelMethods.create_version)

    @id_method
    def version(self, number: int) -> ModelVersion:
        """The live version numbered ``number``.

        Raises:
            NotFound: Naming the model and the numbers it has.
        """
        from assay.registry.versions import get_version

        return get_version(self.id, number)

    @id_method
    def latest(self, published: bool | None = None) -> ModelVersion:
        """The highest-numbered version: any (None), published (True) or unpublished (False)."""
        from assay.registry.versions import latest_version

        return latest_version(self.id, published)

    @id_method
    def history(self) -> list[AuditEntry]:
        """Every change to this model and its versions, oldest first."""
        from assay.registry.catalog import model_history

        return model_history(self.id)

    edit = id_method(ModelMethods.edit)

    def update_columns(self, **values: Any) -> Self:
        """Write columns through the audited path (``set_info``, ``flip_star`` use it)."""
        from assay.registry.catalog import edit_model

        return edit_model(self, values)

    @id_method
    def delete(self, force: bool = False) -> dict[str, int]:
        """Delete this model, its versions, formats and files no other format uses.

        Args:
            force: Needed when a version is published; the deletion is recorded.

        Returns:
            How many rows of each kind went, e.g. ``{"ModelVersion": 3, ...}``.
        """
        from assay.registry.catalog import delete_model

        return delete_model(self.id, force)


class ModelVersion(BaseModel, VersionMethods):
    """One numbered version: settings, training records, performance and a file per format."""

    __tablename__ = "modelversion"
    __table_args__ = (UniqueConstraint("model_id", "version"), {"sqlite_autoincrement": True})

    model_id: Mapped[int] = mapped_column(
        ForeignKey("registeredmodel.id", ondelete="CASCADE"), index=True
    )
    version: Mapped[int]
    tags: Mapped[list] = mapped_column(JSON, default=list)
    hyperparameters: Mapped[Any] = mapped_column(JSON, nullable=True)
    #: A JSON object a deployment reads.
    config: Mapped[dict] = mapped_column(JSON, default=dict)
    #: ``{"dataset_id", "name", "sha256"}`` per assay Dataset, ``{"reference"}`` per other
    #: (with its ``"sha256"`` where known, e.g. a fold file).
    records: Mapped[list] = mapped_column(JSON, default=list)
    #: Metrics per split, e.g. ``{"test": {"accuracy": 0.9}}`` (``predictor.register`` fills it).
    performance: Mapped[Any] = mapped_column(JSON, nullable=True)
    #: The Predictor this version was registered from, if any (no foreign key: deleting
    #: experiments never touches the registry).
    predictor_id: Mapped[int | None]
    is_published: Mapped[bool] = mapped_column(default=False)
    time_published: Mapped[datetime | None] = mapped_column(UtcDateTime)
    published_by: Mapped[str | None] = mapped_column(String(255))
    created_by: Mapped[str] = mapped_column(String(255))
    updated_by: Mapped[str] = mapped_column(String(255))

    model_: Mapped[RegisteredModel] = relationship("RegisteredModel", viewonly=True)
    formats_: Mapped[list[VersionFormat]] = relationship(
        "VersionFormat", viewonly=True, order_by="VersionFormat.format_id"
    )

    def __repr__(self) -> str:
        state = "published" if self.is_published else "draft"
        return f"<ModelVersion {self.id}: model {self.model_id} v{self.version}, {state}>"

    @property
    def model(self) -> RegisteredModel:
        """The model this is a version of."""
        return related(self, "model_")

    @property
    def formats(self) -> list[VersionFormat]:
        """The files of this version, one per format id."""
        return related(self, "formats_")

    @id_method
    def format(self, format_id: str) -> VersionFormat:
        """The file of this version in format ``format_id``."""
        from assay.registry.files import get_file

        return get_file(self.id, format_id)

    edit = id_method(VersionMethods.edit)

    def update_columns(self, **values: Any) -> Self:
        """Write columns through the audited path (``set_info``, ``flip_star`` use it)."""
        from assay.registry.versions import edit_version

        return edit_version(self, values)

    @id_method
    def add_format(self, format_id: str, source: Source) -> VersionFormat:
        """Upload the file of format ``format_id``: bytes, a path or a binary file object.

        The file is streamed to the store and hashed on the way, validated by its format, and
        refused if this version already has one of that id (``replace_format`` replaces it).
        """
        from assay.registry.files import upload

        return upload(self.id, format_id, source, replace=False)

    @id_method
    def replace_format(self, format_id: str, source: Source) -> VersionFormat:
        """Replace the file of format ``format_id`` (which must exist) with a new one."""
        from assay.registry.files import upload

        return upload(self.id, format_id, source, replace=True)

    @id_method
    def download(self, format_id: str, path: str | Path | None = None) -> bytes | Path:
        """The file of ``format_id``: its bytes, or written to ``path`` (a file or a folder).

        The sha256 of what is read is checked against the one recorded at upload.

        Raises:
            DataChanged: The stored file no longer has the recorded content.
        """
        from assay.registry.files import download

        return download(self.id, format_id, path)

    @id_method
    def delete_format(self, format_id: str) -> None:
        """Remove the file of ``format_id`` from this (unpublished) version."""
        from assay.registry.files import delete_file

        delete_file(self.id, format_id)

    @id_method
    def publish(self) -> Self:
        """Freeze this version and its formats: from now on nothing of it can change."""
        from assay.registry.versions import publish

        return publish(self)

    @id_method
    def delete(self, force: bool = False) -> dict[str, int]:
        """Delete this version and its formats; a published one needs ``force=True``.

        Its number is never given again. Files no other format uses are removed.
        """
        from assay.registry.versions import delete_version

        return delete_version(self.id, force)

    @id_method
    def load(self, format_id: str) -> Any:
        """The model in ``format_id``, read by its format (``get_format(id).load(path)``)."""
        from assay.registry.files import load

        return load(self.id, format_id)

    @id_method
    def predict(self, data: pd.DataFrame) -> Any:
        """Predictions of the ``pkl`` model: ``load("pkl").predict(data)``."""
        return self.load("pkl").predict(data)

    @id_method
    def history(self) -> list[AuditEntry]:
        """Every change to this version, oldest first."""
        from assay.registry.catalog import version_history

        return version_history(self.id)

    @id_method
    def lineage(self) -> Lineage:
        """Where this version came from: Predictor, Job, Queue, Splitset, Datasets."""
        from assay.registry.lineage import lineage

        return lineage(self)


class VersionFormat(Base):
    """The file of one format of one version (at most one per format id)."""

    __tablename__ = "versionformat"
    __table_args__ = (UniqueConstraint("version_id", "format_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("modelversion.id", ondelete="CASCADE"), index=True
    )
    format_id: Mapped[str] = mapped_column(String(32))
    #: The file in ``registryfile`` (no foreign key: every foreign key of the metastore points
    #: at an ``id``; a trigger keeps a referenced file from going instead).
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(BigInteger)
    #: The uploaded file's name, when it came from a path or a named file object.
    filename: Mapped[str | None] = mapped_column(String(255))
    time_created: Mapped[datetime] = mapped_column(default=utcnow)
    time_updated: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    created_by: Mapped[str] = mapped_column(String(255))
    updated_by: Mapped[str] = mapped_column(String(255))

    def __repr__(self) -> str:
        return (
            f"<VersionFormat {self.format_id!r} of version {self.version_id}: "
            f"{self.size} bytes, sha256 {self.sha256[:12]}...>"
        )

    def info(self) -> dict[str, Any]:
        """What the audit log records of this file."""
        return {"format_id": self.format_id, "sha256": self.sha256, "size": self.size}


class StoredFile(Base):
    """A file in the registry's store, by its sha256; shared by identical uploads."""

    __tablename__ = "registryfile"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    #: Where it lives: ``"local"`` (ASSAY_HOME), ``"db"`` (chunks), or an fsspec URL.
    store: Mapped[str] = mapped_column(String(1024))
    time_created: Mapped[datetime] = mapped_column(default=utcnow)


class FileChunk(Base):
    """A piece of a file kept in the metastore itself (PostgreSQL without an artifact URL)."""

    __tablename__ = "registrychunk"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    idx: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    data: Mapped[bytes] = mapped_column(LargeBinary)


attach_triggers(Base.metadata)
