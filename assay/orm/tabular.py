"""``Dataset.Tabular``: 2D data from DataFrames or Parquet, CSV and TSV files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from assay.data import tabular
from assay.data.dtypes import check_samples
from assay.data.hashing import read_hashed
from assay.errors import NotFound
from assay.orm.base import id_method
from assay.orm.dataset import (
    Dataset,
    Stored,
    absolute,
    check_info,
    check_ingest,
    register,
    store_payload,
)


class Tabular(Dataset):
    """2D data with a dtype per column; may hold both features and labels."""

    __mapper_args__ = {"polymorphic_identity": "tabular"}

    @classmethod
    def from_df(
        cls,
        dataframe: pd.DataFrame,
        rename_columns: list[str] | None = None,
        retype: Any = None,
        description: str | None = None,
        name: str | None = None,
    ) -> Tabular:
        """Register a DataFrame; it is always ingested (stored as Parquet in the metastore).

        Args:
            dataframe: The data, one row per sample; its index is not kept.
            rename_columns: A name for every column, in order.
            retype: One dtype for every column, or ``{column: dtype}``.
            description: What is unique about this dataset or version.
            name: Versions datasets: same name and new content gives the next version.
        """
        check_info(name, description)
        frame = tabular.check_frame(dataframe)
        frame = tabular.retype_frame(tabular.name_columns(frame, rename_columns), retype)
        meta = tabular.describe_frame(frame)
        stored = parquet_payload(frame)
        return register(
            cls,
            stored=stored,
            digest=stored.digest,
            meta=meta,
            name=name,
            description=description,
            source_format="dataframe",
        )

    @classmethod
    def from_path(
        cls,
        file_path: str | Path,
        ingest: bool = True,
        rename_columns: list[str] | None = None,
        retype: Any = None,
        header: Any = "infer",
        description: str | None = None,
        name: str | None = None,
    ) -> Tabular:
        """Register a Parquet, CSV or TSV file (the format is read from how its name ends).

        Args:
            file_path: The file to read.
            ingest: Store the data in the metastore (as Parquet); False keeps reading the file,
                and checks its hash each time.
            rename_columns: A name for every column, in order.
            retype: One dtype for every column, or ``{column: dtype}``.
            header: Passed to ``pandas.read_csv`` for CSV and TSV; None means no header row.
            description: What is unique about this dataset or version.
            name: Versions datasets: same name and new content gives the next version.
        """
        source_format = tabular.file_format(file_path)
        ingest = check_ingest(ingest, default=True)
        check_info(name, description)
        frame, file_digest = tabular.read_file(file_path, header)
        frame = tabular.retype_frame(tabular.name_columns(frame, rename_columns), retype)
        meta = tabular.describe_frame(frame)
        stored = parquet_payload(frame) if ingest else None
        return register(
            cls,
            stored=stored,
            digest=stored.digest if stored is not None else file_digest,
            meta=meta,
            name=name,
            description=description,
            source_format=source_format,
            source_path=absolute(file_path),
            header=header if source_format != "parquet" else None,
        )

    def load_frame(self, columns: list[str] | None = None) -> pd.DataFrame:
        """The whole table (or some columns), from the metastore or from its verified file."""
        if self.is_ingested:
            return tabular.from_parquet(self.stored_source(), columns)
        path = Path(self.source_path or "")
        if not path.is_file():
            raise NotFound(
                f"Dataset {self.id} was registered from {self.source_path!r} without ingestion, "
                "and that file no longer exists."
            )
        data, digest = read_hashed(path, "source_path")
        self.check_source_unchanged(digest)
        # header None (no header row) is stored as NULL; parquet ignores it.
        frame = tabular.parse_file(data, self.source_format, self.header, path)
        frame = frame.set_axis(self.columns, axis=1).astype(self.dtypes)
        return frame if columns is None else frame[columns]

    @id_method
    def to_df(
        self, columns: list[str] | None = None, samples: list[int] | None = None
    ) -> pd.DataFrame:
        """The data as a DataFrame, optionally some columns and samples (row positions)."""
        columns = self.check_columns(columns)
        samples = check_samples(samples, self.sample_count())
        return tabular.select(self.load_frame(columns), samples)

    @id_method
    def to_arr(
        self, columns: list[str] | None = None, samples: list[int] | None = None
    ) -> np.ndarray:
        """The data as a 2D ndarray, optionally some columns and samples."""
        return self.to_df(columns=columns, samples=samples).to_numpy()


Dataset.Tabular = Tabular


def parquet_payload(frame: pd.DataFrame) -> Stored:
    """A frame's Parquet payload, inline or as an artifact file by its size."""
    return store_payload(
        int(frame.memory_usage(index=False, deep=False).sum()),
        encode=lambda: tabular.to_parquet(frame),
        write=lambda path: tabular.write_parquet(frame, path),
        suffix=".parquet",
    )
