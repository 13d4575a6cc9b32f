"""``df2foldfile``: a DataFrame (and optionally a tensor) split into the folds of a fold file.

Every argument is checked before anything is written. Rows are dealt into ``n_folds`` folds at
random (stratified on ``strat_key`` when given, so each fold keeps the class balance), each
fold keeping its rows in their original order. Categorical features are coded 0..k-1 and their
maps stored in the meta data; matrix features (one column per vector and feature, named
``<vec>_<feat>``) become a (rows, vecs, feats) array, or (rows, feats, vecs) when not row-wise.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from assay.errors import InvalidArgument
from assay.nn.data.layout import (
    FoldArrays,
    check_column_name,
    check_compression,
    python_value,
    write_foldfile,
)

SUFFIXES = (".hdf5", ".h5")


def df2foldfile(
    df: pd.DataFrame,
    n_folds: int,
    cont_feats: Sequence[str],
    cat_feats: Sequence[str],
    targ_feats: str | Sequence[str],
    savename: str | Path,
    targ_type: Any,
    strat_key: str | None = None,
    wgt_feat: str | None = None,
    misc_feats: Sequence[str] | None = None,
    matrix_vecs: Sequence[str] | None = None,
    matrix_feats_per_vec: Sequence[str] | None = None,
    matrix_row_wise: bool | None = None,
    tensor_data: np.ndarray | None = None,
    tensor_name: str | None = None,
    tensor_is_sparse: bool = False,
    compression: str | None = None,
    *,
    seed: int | None = 0,
) -> Path:
    """Write a DataFrame as a fold file of ``n_folds`` folds, to be read one fold at a time.

    Args:
        df: One row per sample.
        n_folds: How many folds to deal the rows into (1 or more, at most one per row).
        cont_feats: Continuous input columns (numbers; NaN allowed, zeroed when read).
        cat_feats: Categorical input columns, coded 0..k-1 (missing values get a code of
            their own); the code-to-value maps go into the meta data.
        targ_feats: The target column(s).
        savename: The file to write; ``.hdf5`` is appended unless it ends in .hdf5 or .h5.
        targ_type: The targets' dtype, e.g. ``'int64'`` for class indices, ``'float32'``
            for regression.
        strat_key: A discrete column to stratify the folds on (e.g. the class).
        wgt_feat: A column of sample weights.
        misc_feats: Further columns stored in each fold (not inputs), e.g. for analysis.
        matrix_vecs: Names of the matrix's vectors (e.g. particles ``['j1', 'j2']``).
        matrix_feats_per_vec: Names of each vector's features (e.g. ``['px', 'py']``); the
            columns ``<vec>_<feat>`` make the matrix, and absent ones are zeros.
        matrix_row_wise: True for a (vecs, feats) matrix per row, False for (feats, vecs).
        tensor_data: Instead of a matrix, an array of shape (rows, ...) in the order of df.
        tensor_name: The tensor's name in the meta data.
        tensor_is_sparse: Store the tensor as sparse COO (coordinates and values).
        compression: None, ``'gzip'`` or ``'lzf'``.
        seed: Seeds the random assignment of rows to folds (None: a new one each call).

    Returns:
        The path written.

    Raises:
        InvalidArgument: Naming the argument, for a missing or non-numeric column, a bad
            count, a strat_key that cannot stratify ``n_folds`` folds, or a matrix or tensor
            that does not fit; nothing is written.
    """
    spec = _check(
        df,
        n_folds,
        cont_feats,
        cat_feats,
        targ_feats,
        targ_type,
        strat_key,
        wgt_feat,
        misc_feats,
        compression,
    )
    matrix = _matrix_spec(
        df,
        matrix_vecs,
        matrix_feats_per_vec,
        matrix_row_wise,
        tensor_data,
        tensor_name,
        tensor_is_sparse,
    )
    folds = fold_rows(df, n_folds, strat_key, seed)
    inputs, cat_maps = _inputs(df, spec["cont_feats"], spec["cat_feats"])
    targets = _targets(df, spec["targ_feats"], spec["targ_type"])
    matrix_values = None if matrix is None else matrix.pop("values")
    meta = {
        "cont_feats": spec["cont_feats"],
        "cat_feats": spec["cat_feats"],
        "cat_maps": cat_maps,
        "targ_feats": spec["targ_feats"],
        "targ_type": spec["targ_type"].name,
        "wgt_feat": wgt_feat,
        "misc_feats": spec["misc_feats"],
        "strat_key": strat_key,
        "matrix": matrix,
        "source": {"kind": "dataframe", "rows": len(df), "seed": seed},
    }

    def each_fold() -> Iterator[FoldArrays]:
        for rows in folds:
            yield FoldArrays(
                inputs=inputs[rows],
                targets=targets[rows],
                weights=None if wgt_feat is None else spec["weights"][rows],
                matrix=None if matrix_values is None else matrix_values[rows],
                extras={name: df[name].to_numpy()[rows] for name in spec["misc_feats"]},
            )

    return write_foldfile(_save_path(savename), meta, each_fold(), compression)


def fold_rows(
    df: pd.DataFrame, n_folds: int, strat_key: str | None, seed: int | None
) -> list[np.ndarray]:
    """The row positions of each fold, each in ascending order.

    Args:
        df: The rows to deal.
        n_folds: How many folds.
        strat_key: A discrete column whose classes every fold keeps in proportion.
        seed: Seeds the shuffle.
    """
    from sklearn.model_selection import KFold, StratifiedKFold

    if n_folds == 1:
        return [np.arange(len(df))]
    placeholder = np.zeros(len(df))
    try:
        if strat_key is None:
            splits = KFold(n_folds, shuffle=True, random_state=seed).split(placeholder)
        else:
            splitter = StratifiedKFold(n_folds, shuffle=True, random_state=seed)
            splits = splitter.split(placeholder, df[strat_key].to_numpy())
        return [np.sort(rows) for _, rows in splits]
    except ValueError as exc:
        raise InvalidArgument(
            f"strat_key {strat_key!r} cannot make {n_folds} folds: {exc}"
        ) from exc


def _save_path(savename: str | Path) -> Path:
    path = Path(savename)
    return path if path.suffix in SUFFIXES else path.with_name(path.name + ".hdf5")


def _names(value: Any, argument: str, allow_str: bool = False) -> list[str]:
    """A list of column names from a list (or one name, where ``allow_str``)."""
    if value is None:
        return []
    if isinstance(value, str):
        if allow_str:
            return [value]
        raise InvalidArgument(f"{argument} must be a list of column names; got the str {value!r}.")
    if not isinstance(value, (list, tuple, pd.Index)) or not all(
        isinstance(name, str) for name in value
    ):
        raise InvalidArgument(f"{argument} must be a list of column names; got {value!r}.")
    names = list(value)
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise InvalidArgument(f"{argument} names {repeated} more than once.")
    return names


def _present(df: pd.DataFrame, names: list[str], argument: str) -> list[str]:
    missing = [name for name in names if name not in df.columns]
    if missing:
        shown = list(df.columns[:20]) + (["..."] if len(df.columns) > 20 else [])
        raise InvalidArgument(f"{argument}: columns {missing} are not in df; it has {shown}.")
    return names


def _numeric(df: pd.DataFrame, names: list[str], argument: str) -> None:
    for name in names:
        if not (pd.api.types.is_numeric_dtype(df[name]) or pd.api.types.is_bool_dtype(df[name])):
            raise InvalidArgument(
                f"{argument}: column {name!r} must be numeric; it is {df[name].dtype}. "
                "Encode it, or list it in cat_feats."
            )


def _check(
    df: Any,
    n_folds: Any,
    cont_feats: Any,
    cat_feats: Any,
    targ_feats: Any,
    targ_type: Any,
    strat_key: Any,
    wgt_feat: Any,
    misc_feats: Any,
    compression: Any,
) -> dict[str, Any]:
    """Every argument about the DataFrame's columns, checked; their normalised values."""
    if not isinstance(df, pd.DataFrame) or df.empty:
        raise InvalidArgument(f"df must be a non-empty pandas DataFrame; got {type(df).__name__}.")
    if isinstance(n_folds, bool) or not isinstance(n_folds, (int, np.integer)):
        raise InvalidArgument(f"n_folds must be an int; got {n_folds!r}.")
    if not 1 <= n_folds <= len(df):
        raise InvalidArgument(f"n_folds must be between 1 and the {len(df)} rows; got {n_folds}.")
    check_compression(compression)
    cont = _present(df, _names(cont_feats, "cont_feats"), "cont_feats")
    cat = _present(df, _names(cat_feats, "cat_feats"), "cat_feats")
    both = sorted(set(cont) & set(cat))
    if both:
        raise InvalidArgument(f"cat_feats: {both} are also in cont_feats; name each once.")
    _numeric(df, cont, "cont_feats")
    targets = _present(df, _names(targ_feats, "targ_feats", allow_str=True), "targ_feats")
    if not targets:
        raise InvalidArgument("targ_feats must name at least one column.")
    _numeric(df, targets, "targ_feats")
    try:
        dtype = np.dtype(targ_type)
    except TypeError as exc:
        raise InvalidArgument(f"targ_type must be a NumPy dtype; got {targ_type!r}.") from exc
    if dtype.kind not in "biuf":
        raise InvalidArgument(f"targ_type must be a numeric dtype; got {dtype}.")
    if dtype.kind != "f" and df[targets].isna().any().any():
        raise InvalidArgument(f"targ_feats hold missing values, which targ_type {dtype} cannot.")
    misc = [check_column_name(name, "misc_feats") for name in _names(misc_feats, "misc_feats")]
    _present(df, misc, "misc_feats")
    if strat_key is not None:
        _present(df, [_single(strat_key, "strat_key")], "strat_key")
        _check_discrete(df[strat_key])
    weights = None
    if wgt_feat is not None:
        _present(df, [_single(wgt_feat, "wgt_feat")], "wgt_feat")
        _numeric(df, [wgt_feat], "wgt_feat")
        weights = df[wgt_feat].to_numpy(dtype=np.float32)
        if not np.isfinite(weights).all():
            raise InvalidArgument(f"wgt_feat: column {wgt_feat!r} holds NaN or infinite weights.")
    return {
        "cont_feats": cont,
        "cat_feats": cat,
        "targ_feats": targets,
        "targ_type": dtype,
        "misc_feats": misc,
        "weights": weights,
    }


def _single(name: Any, argument: str) -> str:
    if not isinstance(name, str):
        raise InvalidArgument(f"{argument} must be one column name; got {name!r}.")
    return name


def _check_discrete(column: pd.Series) -> None:
    values = column.dropna().to_numpy()
    if column.isna().any():
        raise InvalidArgument(f"strat_key: column {column.name!r} has missing values.")
    if values.dtype.kind == "f" and not np.all(np.equal(np.floor(values), values)):
        raise InvalidArgument(
            f"strat_key: column {column.name!r} is continuous; stratify on classes or bins "
            "(e.g. pd.qcut(df[col], 5, labels=False))."
        )


def _inputs(
    df: pd.DataFrame, cont_feats: list[str], cat_feats: list[str]
) -> tuple[np.ndarray, dict[str, dict[str, Any]]]:
    """The flat inputs (continuous, then categorical codes) and the categorical maps."""
    inputs = np.empty((len(df), len(cont_feats) + len(cat_feats)), dtype=np.float32)
    for at, name in enumerate(cont_feats):
        inputs[:, at] = df[name].to_numpy(dtype=np.float32, na_value=np.nan)
    cat_maps = {}
    for at, name in enumerate(cat_feats, start=len(cont_feats)):
        codes, mapping = category_codes(df[name])
        inputs[:, at] = codes
        cat_maps[name] = mapping
    return inputs, cat_maps


def category_codes(column: pd.Series) -> tuple[np.ndarray, dict[str, Any]]:
    """Codes 0..k-1 for a column's values (sorted where they sort) and the code-to-value map.

    Missing values get the last code, mapped to None. Map keys are strings, as JSON keeps them.
    """
    categorical = pd.Categorical(column)
    codes = categorical.codes.astype(np.int64)
    values = [python_value(value) for value in categorical.categories]
    if (codes < 0).any():
        codes[codes < 0] = len(values)
        values.append(None)
    return codes, {str(code): value for code, value in enumerate(values)}


def _targets(df: pd.DataFrame, targ_feats: list[str], dtype: np.dtype) -> np.ndarray:
    values = df[targ_feats].to_numpy(dtype=np.float64, na_value=np.nan)
    return values.astype(dtype)


def _matrix_spec(
    df: pd.DataFrame,
    vecs: Any,
    feats_per_vec: Any,
    row_wise: Any,
    tensor_data: Any,
    tensor_name: Any,
    tensor_is_sparse: Any,
) -> dict[str, Any] | None:
    """The matrix or tensor meta data, with its ``values`` (rows, ...) to split into folds."""
    if not isinstance(tensor_is_sparse, bool):
        raise InvalidArgument(f"tensor_is_sparse must be a bool; got {tensor_is_sparse!r}.")
    has_matrix = vecs is not None or feats_per_vec is not None
    if has_matrix and tensor_data is not None:
        raise InvalidArgument(
            "tensor_data: a fold file holds a matrix or a tensor, not both; "
            "drop matrix_vecs and matrix_feats_per_vec, or tensor_data."
        )
    if tensor_data is not None:
        return _tensor_spec(len(df), tensor_data, tensor_name, tensor_is_sparse)
    if tensor_name is not None:
        raise InvalidArgument("tensor_name is set but tensor_data is None.")
    if not has_matrix:
        return None
    vec_names = _names(vecs, "matrix_vecs")
    feat_names = _names(feats_per_vec, "matrix_feats_per_vec")
    if not vec_names or not feat_names:
        raise InvalidArgument(
            "matrix_vecs and matrix_feats_per_vec must both name at least one entry for a matrix."
        )
    if not isinstance(row_wise, bool):
        raise InvalidArgument(
            f"matrix_row_wise must be True (a (vecs, feats) matrix) or False (feats, vecs) "
            f"when a matrix is given; got {row_wise!r}."
        )
    columns = [[f"{vec}_{feat}" for feat in feat_names] for vec in vec_names]
    present = [name for row in columns for name in row if name in df.columns]
    if not present:
        raise InvalidArgument(
            f"matrix_vecs x matrix_feats_per_vec: none of the columns <vec>_<feat> (e.g. "
            f"{columns[0][0]!r}) are in df."
        )
    _numeric(df, present, "matrix_feats_per_vec")
    values = np.zeros((len(df), len(vec_names), len(feat_names)), dtype=np.float32)
    missing = []
    for i, row in enumerate(columns):
        for j, name in enumerate(row):
            if name in df.columns:
                values[:, i, j] = df[name].to_numpy(dtype=np.float32, na_value=np.nan)
            else:
                missing.append(name)
    if not row_wise:
        values = np.ascontiguousarray(values.transpose(0, 2, 1))
    return {
        "kind": "matrix",
        "name": "matrix",
        "vecs": vec_names,
        "feats_per_vec": feat_names,
        "row_wise": row_wise,
        "missing": missing,
        "shape": list(values.shape[1:]),
        "is_sparse": False,
        "values": values,
    }


def _tensor_spec(rows: int, data: Any, name: Any, is_sparse: bool) -> dict[str, Any]:
    if not isinstance(data, np.ndarray) or data.ndim < 2 or len(data) != rows:
        shape = getattr(data, "shape", type(data).__name__)
        raise InvalidArgument(
            f"tensor_data must be a NumPy array of shape (rows={rows}, ...) in df's row order; "
            f"got {shape}."
        )
    if data.dtype.kind not in "biuf":
        raise InvalidArgument(f"tensor_data must be numeric; got dtype {data.dtype}.")
    if name is not None and not isinstance(name, str):
        raise InvalidArgument(f"tensor_name must be a str; got {name!r}.")
    return {
        "kind": "tensor",
        "name": name or "tensor",
        "vecs": None,
        "feats_per_vec": None,
        "row_wise": None,
        "missing": [],
        "shape": list(data.shape[1:]),
        "is_sparse": is_sparse,
        "values": data,
    }
