"""2D data: DataFrames in, Parquet bytes out, and back again.

Parquet keeps each column's dtype, which CSV cannot, so ingested tables are stored as Parquet.
Nothing here copies the data unless a dtype change demands it: renaming is a new header over
the same columns, and the Parquet bytes are written into one Arrow buffer.
"""

from __future__ import annotations

import csv
import io
import itertools
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from assay.data.dtypes import check_dtype, check_lossless, check_names, check_path
from assay.data.hashing import read_hashed
from assay.errors import InvalidArgument, NotFound

FORMATS = {".parquet": "parquet", ".csv": "csv", ".tsv": "tsv"}


def file_format(path: str | Path) -> str:
    """The format of a tabular file from how its name ends: parquet, csv or tsv."""
    suffix = check_path(path, "file_path").suffix.lower()
    if suffix not in FORMATS:
        raise InvalidArgument(f"file_path must end in one of {sorted(FORMATS)}; got {str(path)!r}.")
    return FORMATS[suffix]


def read_file(path: str | Path, header: Any = "infer") -> tuple[pd.DataFrame, str]:
    """Read a Parquet, CSV or TSV file into a DataFrame, with the sha256 of the bytes parsed.

    Raises:
        NotFound: When the file does not exist.
        InvalidArgument: When the file is empty, unreadable or of another format.
    """
    kind = file_format(path)
    path = Path(path)
    if not path.is_file():
        raise NotFound(f"file_path {str(path)!r} is not a file.")
    data, digest = read_hashed(path, "file_path")
    return parse_file(data, kind, header, path), digest


def parse_file(data: bytes, kind: str, header: Any, path: Path) -> pd.DataFrame:
    """Parse a file's bytes (read once, so that they are the bytes that were hashed).

    Args:
        data: The whole file's bytes.
        kind: ``'parquet'``, ``'csv'`` or ``'tsv'`` (see ``file_format``).
        header: pandas' ``header`` for CSV and TSV: ``'infer'``, a row number, or None
            for no header row; ignored for Parquet.
        path: The file, named in errors only.

    Raises:
        InvalidArgument: When the bytes are not a table of this format with rows and columns.
    """
    try:
        if kind == "parquet":
            frame = pd.read_parquet(io.BytesIO(data))
        else:
            sep = "\t" if kind == "tsv" else ","
            frame = pd.read_csv(io.BytesIO(data), sep=sep, header=header)
            frame = restore_repeated_names(frame, header_names(data, sep, header))
    except pd.errors.EmptyDataError as exc:
        raise InvalidArgument(f"file_path {str(path)!r} is empty.") from exc
    except (OSError, ValueError, pa.ArrowException, pd.errors.ParserError) as exc:
        raise InvalidArgument(f"file_path {str(path)!r} cannot be read as {kind}: {exc}") from exc
    return check_frame(frame, f"file_path {str(path)!r}")


def header_names(data: bytes, sep: str, header: Any) -> list[str] | None:
    """The column names of a CSV or TSV header row as written, or None without a header row.

    pandas renames a repeated name (``a`` becomes ``a.1``); this reads the row itself.

    Args:
        data: The file's bytes, UTF-8 (a byte-order mark is skipped).
        sep: The field separator: a comma for CSV, a tab for TSV.
        header: As pandas takes it: ``'infer'`` (the first row), the header's row
            number counting non-blank rows, or anything else for no header row.
    """
    if header == "infer":
        row = 0
    elif isinstance(header, int) and not isinstance(header, bool):
        row = header
    else:
        return None
    text = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8-sig", newline="")
    rows = (fields for fields in csv.reader(text, delimiter=sep) if fields)
    return next(itertools.islice(rows, row, None), None)


def restore_repeated_names(frame: pd.DataFrame, names: list[str] | None) -> pd.DataFrame:
    """Put back the header's repeated column names, so they are refused as in ``from_df``."""
    if names is None or len(names) != frame.shape[1]:
        return frame
    repeated = {name for name, count in Counter(names).items() if name and count > 1}
    if not repeated:
        return frame
    restored = [
        name if name in repeated else column
        for name, column in zip(names, frame.columns, strict=True)
    ]
    return frame.set_axis(restored, axis=1)


def check_frame(frame: Any, argument: str = "dataframe") -> pd.DataFrame:
    """Validate a DataFrame for registration: 2D, not empty, a single-level header and index."""
    if not isinstance(frame, pd.DataFrame):
        raise InvalidArgument(f"{argument} must be a pandas DataFrame; got {type(frame).__name__}.")
    if frame.shape[0] == 0 or frame.shape[1] == 0:
        raise InvalidArgument(
            f"{argument} must have at least one row and one column; got shape {frame.shape}."
        )
    if isinstance(frame.columns, pd.MultiIndex) or isinstance(frame.index, pd.MultiIndex):
        raise InvalidArgument(
            f"{argument} must have a single-level header and index; flatten it first "
            "(e.g. df.reset_index() or join the column levels)."
        )
    return frame


def name_columns(frame: pd.DataFrame, rename_columns: Any = None) -> pd.DataFrame:
    """Give every column a unique str name: ``rename_columns`` or the current names as str."""
    if rename_columns is not None:
        names = check_names(rename_columns, "rename_columns", frame.shape[1])
    else:
        names = [str(column) for column in frame.columns]
        duplicated = sorted({name for name in names if names.count(name) > 1})
        if duplicated:
            raise InvalidArgument(
                f"the data has duplicated column names {duplicated!r}; pass rename_columns "
                "with a unique name for each column."
            )
    if names == list(frame.columns) and isinstance(frame.index, pd.RangeIndex):
        return frame
    renamed = frame.set_axis(names, axis=1)
    return renamed.reset_index(drop=True)


def retype_frame(frame: pd.DataFrame, retype: Any = None) -> pd.DataFrame:
    """Change dtypes: one dtype for every column, or a ``{column: dtype}`` dict."""
    if retype is None:
        return frame
    if isinstance(retype, dict):
        unknown = [column for column in retype if column not in frame.columns]
        if unknown:
            raise InvalidArgument(
                f"retype names columns that do not exist: {unknown!r}; the columns are "
                f"{list(frame.columns)!r} (after rename_columns)."
            )
        targets = {
            column: check_dtype(value, f"retype[{column!r}]") for column, value in retype.items()
        }
    else:
        dtype = check_dtype(retype, "retype")
        targets = dict.fromkeys(frame.columns, dtype)
    converted = {
        column: retype_column(frame[column], column, dtype) for column, dtype in targets.items()
    }
    return frame.assign(**converted)


def retype_column(values: pd.Series, column: str, dtype: Any) -> pd.Series:
    """One column converted to ``dtype``, refused if the conversion would change a value.

    Args:
        values: The column's values.
        column: Its name, for the error.
        dtype: The numpy or pandas dtype to convert to, already checked by ``check_dtype``.
    """
    try:
        with np.errstate(all="ignore"):  # overflow is reported below, with the column's name
            converted = values.astype(dtype)
    except (ValueError, TypeError, OverflowError) as exc:
        raise InvalidArgument(
            f"retype cannot convert column {column!r} from {values.dtype} to {dtype}: {exc}"
        ) from exc
    check_lossless(values, converted, f"column {column!r} from {values.dtype}", dtype)
    return converted


#: Rows encoded at a time: the writer buffers one row group, not the whole file.
ROWS_PER_GROUP = 131_072


def _write_frame(frame: pd.DataFrame, sink: Any) -> None:
    """Write a frame as Parquet in row groups (the same bytes for any sink).

    Dictionary encoding is kept for the columns it helps (strings, categories, integers,
    booleans) and skipped for floating columns, where values rarely repeat: trying it there
    made writing several times slower for nothing.
    """
    table = arrow_table(frame)
    dictionary = [field.name for field in table.schema if not pa.types.is_floating(field.type)]
    pq.write_table(table, sink, row_group_size=ROWS_PER_GROUP, use_dictionary=dictionary)


def arrow_table(frame: pd.DataFrame) -> pa.Table:
    """A frame as an Arrow table, or an error naming the column Arrow cannot store."""
    try:
        return pa.Table.from_pandas(frame, preserve_index=False)
    except pa.ArrowException as exc:
        column = next((c for c in frame.columns if not arrow_accepts(frame[c])), None)
        raise InvalidArgument(
            f"dataframe column {column!r} cannot be stored ({exc}): its values must be of one "
            f"type, e.g. not a mix of ints and strs. Retype it (retype={{{column!r}: 'str'}}) "
            "or make its values one type first."
        ) from exc


def arrow_accepts(column: pd.Series) -> bool:
    """Whether Arrow can convert this column on its own."""
    try:
        pa.Array.from_pandas(column)
    except pa.ArrowException:
        return False
    return True


def to_parquet(frame: pd.DataFrame) -> pa.Buffer:
    """The Parquet bytes of a DataFrame, in one Arrow buffer."""
    sink = pa.BufferOutputStream()
    _write_frame(frame, sink)
    return sink.getvalue()


def write_parquet(frame: pd.DataFrame, path: str | Path) -> None:
    """Write a DataFrame to a Parquet file, streaming: no copy of the whole frame or file."""
    _write_frame(frame, str(path))


def from_parquet(data: Any, columns: list[str] | None = None) -> pd.DataFrame:
    """Read Parquet bytes (or a path) back into a DataFrame, optionally some columns only."""
    source = pa.BufferReader(data) if not isinstance(data, (str, Path)) else data
    table = pq.read_table(source, columns=columns)
    return table.to_pandas()


def describe_frame(frame: pd.DataFrame) -> dict[str, Any]:
    """The metadata recorded for a 2D Dataset: columns, dtypes, shape, memory, NaNs."""
    return {
        "columns": [str(column) for column in frame.columns],
        "dtypes": {str(column): str(dtype) for column, dtype in frame.dtypes.items()},
        "shape": {"rows": int(frame.shape[0]), "columns": int(frame.shape[1])},
        "memory_MB": round(float(frame.memory_usage(deep=True).sum()) / 1e6, 3),
        "contains_nan": bool(frame.isna().to_numpy().any()),
    }


def select(frame: pd.DataFrame, samples: list[int] | None) -> pd.DataFrame:
    """The rows at ``samples`` positions (all when None), renumbered from 0."""
    if samples is None:
        return frame
    return frame.iloc[np.asarray(samples, dtype=np.int64)].reset_index(drop=True)
