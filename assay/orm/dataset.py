"""Dataset (section 1): raw data, registered once, versioned by name and content hash.

Three kinds share one table: ``Dataset.Tabular`` (2D, stored as Parquet),
``Dataset.Sequence`` (3D) and ``Dataset.Image`` (4D, channels first), both stored as ``.npy``.
In-memory data is always ingested (its bytes go into the metastore, or for large payloads on
SQLite into a content-addressed file beside it); files may stay where they are, in which case
their hash is checked every time they are read back.
"""

from __future__ import annotations

import contextlib
import functools
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
from sqlalchemy import JSON, Connection, LargeBinary, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, deferred, mapped_column, relationship

from assay.data.dtypes import check_known_columns
from assay.data.hashing import sha256_buffer
from assay.errors import DataChanged, InvalidArgument
from assay.orm.base import BaseModel, Deletable, Pickled, check_text, id_method, related
from assay.orm.versioning import next_version
from assay.store import in_transaction, on_rollback, reading, transaction
from assay.store.artifacts import artifact_path, remove_artifact, use_artifact, write_artifact
from assay.store.blobs import read_blob, write_blob
from assay.store.engine import engine
from assay.store.session import lock_table

if TYPE_CHECKING:
    import pandas as pd
    import PIL.Image

    from assay.orm.arrays import Image, Sequence
    from assay.orm.feature import Feature
    from assay.orm.label import Label
    from assay.orm.tabular import Tabular


#: The longest source_path a Dataset row holds.
SOURCE_PATH_LENGTH = 4096


class DuplicateDatasetWarning(UserWarning):
    """A Dataset with the same name and content exists already; it is returned instead."""


class Dataset(Deletable, BaseModel):
    """Raw data of known dimensionality, with the metadata derived from it."""

    __tablename__ = "dataset"
    __table_args__ = (UniqueConstraint("name", "version", name="uq_dataset_name_version"),)

    typ: Mapped[str] = mapped_column(String(16))
    source_format: Mapped[str] = mapped_column(String(32))
    source_path: Mapped[str | None] = mapped_column(String(SOURCE_PATH_LENGTH))
    urls: Mapped[list | None] = mapped_column(JSON)
    columns: Mapped[list] = mapped_column(JSON)
    dtypes: Mapped[Any] = mapped_column(JSON)
    shape: Mapped[dict] = mapped_column(JSON)
    sha256_hexdigest: Mapped[str] = mapped_column(String(64), index=True)
    memory_MB: Mapped[float]
    contains_nan: Mapped[bool]
    header: Mapped[Any] = mapped_column(Pickled, nullable=True)
    is_ingested: Mapped[bool]
    blob: Mapped[bytes | None] = deferred(mapped_column(LargeBinary, nullable=True))
    artifact: Mapped[str | None] = mapped_column(String(255))
    version: Mapped[int | None]

    __mapper_args__ = {"polymorphic_on": "typ", "polymorphic_abstract": True}

    features_: Mapped[list[Feature]] = relationship("Feature", viewonly=True, order_by="Feature.id")
    labels_: Mapped[list[Label]] = relationship("Label", viewonly=True, order_by="Label.id")

    # Filled in below with the subclasses, so that users write Dataset.Tabular.from_df(...).
    Tabular: ClassVar[type[Tabular]]
    Sequence: ClassVar[type[Sequence]]
    Image: ClassVar[type[Image]]

    @property
    def features(self) -> list[Feature]:
        """The Features drawn from this Dataset."""
        return related(self, "features_")

    @property
    def labels(self) -> list[Label]:
        """The Labels drawn from this Dataset."""
        return related(self, "labels_")

    # -- fetching ------------------------------------------------------------------------

    @id_method
    def to_arr(
        self, columns: list[str] | None = None, samples: list[int] | None = None
    ) -> np.ndarray:
        """The data as an ndarray: 2D (Tabular), 3D (Sequence) or 4D (Image)."""
        raise NotImplementedError  # each kind implements it

    @id_method
    def to_df(
        self, columns: list[str] | None = None, samples: list[int] | None = None
    ) -> pd.DataFrame | list[pd.DataFrame] | list[list[pd.DataFrame]]:
        """The data as a DataFrame (Tabular), list of DataFrames (Sequence) or list of lists."""
        raise NotImplementedError

    @id_method
    def to_pillow(self, samples: list[int] | None = None) -> list[PIL.Image.Image]:
        """Image datasets as Pillow images; other kinds raise InvalidArgument."""
        raise InvalidArgument(
            f"to_pillow is only for Image datasets; Dataset {self.id} is {self.typ}."
        )

    @id_method
    def get_dtypes(self, columns: list[str] | None = None) -> dict[str, str]:
        """The dtype of each column as ``{column: 'float64'}``, whatever form retype took."""
        columns = self.check_columns(columns)
        if isinstance(self.dtypes, dict):
            return {column: self.dtypes[column] for column in columns}
        return dict.fromkeys(columns, self.dtypes)

    def check_columns(self, columns: Any, argument: str = "columns") -> list[str]:
        """Validate a selection of columns against this Dataset's columns (None: all)."""
        if columns is None:
            return list(self.columns)
        return check_known_columns(columns, self.columns, argument)

    def sample_count(self) -> int:
        """The number of samples (rows of a table, first dimension of an array)."""
        return int(self.shape["samples"] if "samples" in self.shape else self.shape["rows"])

    def stored_source(self) -> bytes | Path:
        """The ingested payload: its bytes, or the path of its artifact file."""
        if self.artifact is not None:
            return artifact_path(self.artifact)
        with reading() as db:
            data = read_blob(db, "dataset", "blob", self.id)
        if data is None:
            raise DataChanged(f"Dataset {self.id} has no stored bytes; its row is incomplete.")
        return data

    def check_source_unchanged(self, digest: str) -> None:
        """Raise DataChanged when data read from the source no longer matches its hash."""
        if digest != self.sha256_hexdigest:
            where = self.source_path or self.urls
            raise DataChanged(
                f"Dataset {self.id} was registered from {where!r} without ingestion, and that "
                f"data has changed since (sha256 {digest[:12]}... instead of "
                f"{self.sha256_hexdigest[:12]}...). Register it again as a new version, or "
                "restore the original."
            )

    def _repr_html_(self) -> str:
        """A compact table of this Dataset for notebooks (see ``assay.notebook``)."""
        from assay import notebook

        return notebook.dataset_html(self)


@dataclass(frozen=True)
class Stored:
    """An ingested payload ready for its row: inline bytes or an artifact file, and its hash."""

    digest: str
    payload: Any = None
    artifact: str | None = None
    #: Whether this registration created the artifact file (so may delete it if it fails).
    created: bool = False


def store_payload(
    nbytes: int, encode: Callable[[], Any], write: Callable[[Path], None], suffix: str
) -> Stored:
    """Encode a payload in memory, or stream it to an artifact file when it is large.

    A file this call creates inside an open transaction is deleted if that transaction rolls
    back; ``register`` sees to it when there is none yet.

    Args:
        nbytes: About how large the payload will be, to choose where it goes.
        encode: Returns the payload's bytes (for the metastore).
        write: Writes the same bytes to a file (for the artifact store).
        suffix: The artifact file's extension.
    """
    if use_artifact(nbytes, engine().dialect.name):
        written = write_artifact(write, suffix)
        stored = Stored(digest=written.digest, artifact=written.name, created=written.created)
        on_rollback(functools.partial(discard_artifact, stored))
        return stored
    payload = encode()
    return Stored(digest=sha256_buffer(payload), payload=payload)


def discard_artifact(stored: Stored) -> None:
    """Delete the artifact file a failed registration created, unless a committed row uses it.

    The check and the deletion hold the metastore's write lock, so that no other
    registration commits a row pointing to the file in between.
    """
    if stored.artifact is None or not stored.created:
        return
    with engine().execution_options(assay_write=True).begin() as connection:
        if not artifact_referenced(connection, stored.artifact):
            remove_artifact(stored.artifact)


def artifact_referenced(db: Session | Connection, name: str) -> bool:
    """Whether a Dataset row points to this artifact file."""
    statement = select(Dataset.id).where(Dataset.artifact == name).limit(1)
    return db.scalar(statement) is not None


def register(
    kind: type[Dataset],
    *,
    stored: Stored | None,
    digest: str,
    meta: dict[str, Any],
    name: str | None,
    description: str | None,
    **columns: Any,
) -> Dataset:
    """Write a Dataset row (and its ingested bytes) in one transaction, versioned by name.

    Content that is already registered is returned instead of being written twice: with a
    warning under the same name, quietly when no name is given. If the registration fails,
    an artifact file it created is deleted.

    Args:
        kind: The Dataset class to write (``Tabular``, ``Sequence`` or ``Image``).
        stored: The ingested payload, or None for data read from its source on every use.
        digest: The SHA-256 of the content, which finds duplicates.
        meta: What describing the data found: columns, dtypes, shape, memory, gaps.
        name: Versions datasets: same name and new content gives the next version.
        description: What is unique about this dataset or version.
        **columns: More columns of the row, e.g. ``source_format`` and ``source_path``.
    """
    check_info(name, description)
    nested = in_transaction()
    try:
        with transaction() as db:
            return write_row(db, kind, stored, digest, name, description, {**meta, **columns})
    except BaseException:
        if stored is not None and not nested:  # nested: the outer transaction's rollback does
            with contextlib.suppress(Exception):  # best effort: the original error matters
                discard_artifact(stored)
        raise


def write_row(
    db: Session,
    kind: type[Dataset],
    stored: Stored | None,
    digest: str,
    name: str | None,
    description: str | None,
    values: dict[str, Any],
) -> Dataset:
    """The Dataset row of a registration: an existing duplicate, or a new row written now.

    Args:
        db: The registration's transaction.
        kind: The Dataset class to write.
        stored: The ingested payload, or None.
        digest: The SHA-256 of the content.
        name: The name, which numbers the version.
        description: What is unique about this dataset or version.
        values: The row's other columns.
    """
    lock_table(db, "dataset")
    duplicate = find_duplicate(db, kind, digest, name, values, ingested=stored is not None)
    if duplicate is not None:
        return use_duplicate(db, duplicate, stored, name)
    if stored is not None and stored.artifact is not None:
        artifact_path(stored.artifact)  # still there, not removed by a failed registration
    version = next_version(db, Dataset, name, lock=False)  # locked above
    row = kind(
        sha256_hexdigest=digest,
        name=name,
        description=description,
        version=version,
        is_ingested=stored is not None,
        artifact=stored.artifact if stored is not None else None,
        **values,
    )
    db.add(row)
    db.flush()
    if stored is not None and stored.payload is not None:
        write_blob(db, "dataset", "blob", row.id, stored.payload)
    return row


def use_duplicate(
    db: Session, duplicate: Dataset, stored: Stored | None, name: str | None
) -> Dataset:
    """Return a duplicate instead of a new row (warning when named) and drop an unused file.

    Args:
        db: The registration's transaction.
        duplicate: The registered Dataset with the same content.
        stored: The payload prepared for the new row; its artifact file, if this
            registration created it and no row points to it, is removed.
        name: The name asked for; given, the user is warned that nothing new was written.
    """
    if name is not None:
        warnings.warn(
            f"Dataset {duplicate.id} named {name!r} (version {duplicate.version}) has the same "
            "content; returning it instead of registering a duplicate.",
            DuplicateDatasetWarning,
            stacklevel=5,
        )
    if (
        stored is not None
        and stored.created
        and stored.artifact is not None
        and not artifact_referenced(db, stored.artifact)
    ):
        remove_artifact(stored.artifact)  # the duplicate keeps its payload inline
    return duplicate


#: What else must match, besides the hash, for data read from its source on every use.
SOURCE_COLUMNS = ("source_format", "source_path", "urls", "header")


def find_duplicate(
    db: Session,
    kind: type[Dataset],
    digest: str,
    name: str | None,
    values: dict[str, Any],
    ingested: bool,
) -> Dataset | None:
    """The registered Dataset that a new one would duplicate, or None.

    A duplicate is of the same kind and name (any name, unnamed ones first, when ``name`` is
    None), with the same hash, columns and dtypes; one that is not ingested must also be read
    from the same source in the same way.

    Args:
        db: The registration's transaction.
        kind: The Dataset class of the new row.
        digest: The SHA-256 of the content.
        name: The name of the new row, or None for any.
        values: The new row's other columns (``columns``, ``dtypes``, the source's).
        ingested: Whether the new row stores its data.
    """
    statement = select(Dataset).where(
        Dataset.sha256_hexdigest == digest,
        Dataset.typ == kind.__mapper_args__["polymorphic_identity"],
        Dataset.is_ingested == ingested,
    )
    if name is not None:
        statement = statement.where(Dataset.name == name)
    matches = [
        row
        for row in db.scalars(statement.order_by(Dataset.id))
        if row.columns == values["columns"]
        and row.dtypes == values["dtypes"]
        and (ingested or all(getattr(row, c) == values.get(c) for c in SOURCE_COLUMNS))
    ]
    matches.sort(key=lambda row: row.name is not None)  # stable: unnamed first, then by id
    return matches[0] if matches else None


def check_info(name: Any, description: Any) -> None:
    """Validate the name and description of a new row, before anything is written."""
    check_text(name, "name")
    check_text(description, "description")


def check_ingest(ingest: Any, default: bool) -> bool:
    """Validate ``ingest`` (None means the default for this kind of input)."""
    if ingest is None:
        return default
    if not isinstance(ingest, bool):
        raise InvalidArgument(f"ingest must be True, False or None; got {ingest!r}.")
    return ingest


def absolute(path: str | Path) -> str:
    """A path as the absolute string recorded in source_path."""
    return str(Path(path).expanduser().resolve())
