"""New samples for a trained Predictor: what a user may hand over, and predicting in memory.

- ``as_inputs`` reads what ``Inference`` and ``Predictor.predict`` accept as one value per
  Feature: a DataFrame, a dict of columns or a list of records is one dataset; a list of
  datasets gives one per Feature.
- ``predict_frame`` is ``Predictor.predict``: the table ``Inference(...).to_df()`` gives,
  computed in memory with the Predictor's fitted preprocessing (the pipeline's own
  functions), writing no metastore row and no samples cache file. For serving.
- ``predict_raws`` is its pure core: raw samples of each trained Feature (``TrainedFeature``)
  and a ``TrainedModel`` in, that table out. A registered model's ``pkl`` file
  (``assay.registry.formats.portable``) predicts through it without a metastore.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from assay.errors import InvalidArgument

if TYPE_CHECKING:
    from assay.orm.feature import Feature
    from assay.preprocess.fitted import FittedSteps
    from assay.preprocess.pipeline import Windows
    from assay.train.model import TrainedModel

#: The name the new samples' one split has in memory (never stored).
PREDICT_KEY = "predict"


def as_inputs(value: Any, feature_count: int, argument: str = "input_datasets") -> list[Any]:
    """One input per Feature, in order, from what a user handed over.

    A DataFrame, a dict of columns (``{"age": [31, 45]}``), a single record
    (``{"age": 31}``) or a list of records (``[{"age": 31}, {"age": 45}]``) is one
    dataset, for a Predictor of one Feature; dicts become DataFrames. Any other list is one
    dataset per Feature (a Predictor of several Features), each in any of these forms or a
    Dataset, its id, an ndarray or a file path.

    Args:
        value: What the user handed over.
        feature_count: How many Features the Predictor was trained on.
        argument: The argument's name, for errors.

    Raises:
        InvalidArgument: A list that mixes records with datasets, rows as lists (no column
            names), or a count of datasets that is not the Predictor's Feature count.
    """
    if isinstance(value, Mapping):
        inputs = [frame_of(value, argument)]
    elif not isinstance(value, (list, tuple)):
        inputs = [value]
    else:
        inputs = _list_inputs(list(value), feature_count, argument)
    if len(inputs) != feature_count:
        raise InvalidArgument(
            f"{argument}: the Predictor was trained on {feature_count} Feature(s); got "
            f"{len(inputs)} dataset(s). Pass one dataset per Feature, in order."
        )
    return inputs


def _list_inputs(items: list[Any], feature_count: int, argument: str) -> list[Any]:
    """A list: records (one dataset) or datasets (one per Feature)."""
    if not items:
        raise InvalidArgument(f"{argument} is an empty list; pass a dataset or some records.")
    records = [is_record(item) for item in items]
    if all(records):
        if feature_count != 1:
            raise InvalidArgument(
                f"{argument}: a list of records (dicts of one value per column) is one "
                f"dataset, but the Predictor was trained on {feature_count} Features; pass a "
                f"list of {feature_count} datasets, one per Feature, in order."
            )
        return [pd.DataFrame([dict(item) for item in items])]
    if any(records):
        raise InvalidArgument(
            f"{argument} mixes records (dicts of one value per column, at positions "
            f"{[at for at, record in enumerate(records) if record]}) with datasets; pass "
            "either a list of records (one dataset) or one dataset per Feature."
        )
    if all(isinstance(item, (list, tuple)) for item in items):
        raise InvalidArgument(
            f"{argument}: rows given as lists have no column names; pass a DataFrame or "
            "records (dicts of column: value), so that the Predictor's columns can be found."
        )
    return [
        frame_of(item, f"{argument}[{at}]") if isinstance(item, Mapping) else item
        for at, item in enumerate(items)
    ]


def is_record(value: Any) -> bool:
    """Whether ``value`` is one record: a dict of one value (not a list of them) per column."""
    return isinstance(value, Mapping) and all(np.ndim(v) == 0 for v in value.values())


def frame_of(value: Mapping, argument: str) -> pd.DataFrame:
    """A dict of columns, or one record, as a DataFrame."""
    if is_record(value):
        return pd.DataFrame([dict(value)])
    try:
        return pd.DataFrame(dict(value))
    except ValueError as exc:
        raise InvalidArgument(
            f"{argument}: a dict must map each column to its values, all of one length, or "
            f"each column to one value (a record); pandas says: {exc}"
        ) from exc


# -- predicting in memory -------------------------------------------------------------------

#: The dimensions of each kind of Dataset's array: a table, a sequence, images.
KIND_NDIM = {"tabular": 2, "sequence": 3, "image": 4}


@dataclass(frozen=True)
class TrainedFeature:
    """What new samples must match of a Feature a Predictor was trained on; no rows.

    Attributes:
        id: The Feature's id (errors name it).
        columns: Its columns, in order.
        kind: Its Dataset's kind: ``'tabular'``, ``'sequence'`` or ``'image'``.
        window: ``(size_window, size_shift)`` of its Window, or None.
    """

    id: int
    columns: list[str]
    kind: str
    window: tuple[int, int] | None = None

    @classmethod
    def of(cls, feature: Feature) -> TrainedFeature:
        """A Feature row's columns, kind and Window."""
        window = feature.window
        return cls(
            id=feature.id,
            columns=list(feature.columns),
            kind=feature.dataset.typ,
            window=None if window is None else (window.size_window, window.size_shift),
        )


def predict_frame(predictor_id: int, data: Any) -> pd.DataFrame:
    """A Predictor's decoded predictions of new samples, computed in memory; writes nothing.

    The samples go through the Predictor's own fitted preprocessing (imputers, coders,
    interpolaters, a Window's timesteps: the pipeline's functions, never refitted), as
    ``Inference`` takes them; gaps the preprocessing cannot fill are refused as
    ``Inference`` refuses them.

    Args:
        predictor_id: The Predictor.
        data: For a Predictor of one Feature, a DataFrame, a dict of columns, a list of
            records, an ndarray or a Dataset (or its id); for several Features, a list of
            one per Feature, in order.

    Returns:
        The table ``Inference(predictor, data).to_df()`` gives (``assay.evaluate.frame``).

    Raises:
        InvalidArgument: Inputs ``as_inputs`` refuses, missing columns (named), text where
            the Predictor takes numbers, gaps nothing fills, Features of different sample
            counts, or a series too short for one window.
    """
    from assay.orm.predictor import Predictor
    from assay.orm.preprocessing import check_data_fillable, check_dtypes_encodable
    from assay.train.model import TrainedModel

    predictor = Predictor.get_by_id(predictor_id)
    trained_on = predictor.fit_splitset()
    features = trained_on.features
    trained = [TrainedFeature.of(feature) for feature in features]
    inputs = as_inputs(data, len(features), "data")
    raws = []
    for at, (value, feature, own) in enumerate(zip(inputs, features, trained, strict=True)):
        what = input_name(at, len(features))
        raw = raw_input(value, feature, own, what)
        check_dtypes_encodable(dtypes_of(raw, own.columns), feature, f"{what}'s")
        check_data_fillable(raw, feature, what)
        raws.append(raw)
    label = trained_on.label
    return predict_raws(
        TrainedModel.of_predictor(predictor.id),
        raws,
        trained,
        None if label is None else list(label.columns),
    )


def predict_raws(
    model: TrainedModel,
    raws: list[Any],
    features: list[TrainedFeature],
    label_columns: list[str] | None,
) -> pd.DataFrame:
    """Decoded predictions of raw samples, through a model's fitted preprocessing; pure.

    Args:
        model: The trained model with its fitted preprocessing (``TrainedModel``).
        raws: Each Feature's new samples, as ``raw_in_memory`` gives them, checked.
        features: The Features the model was trained on, in order.
        label_columns: The trained Label's columns (they name the prediction); None without.

    Returns:
        The table ``predict_frame`` returns.

    Raises:
        InvalidArgument: Features of different sample counts, or a series too short for one
            window.
    """
    from assay.evaluate.frame import prediction_frame
    from assay.evaluate.predict import evaluate_splits
    from assay.preprocess.pipeline import preprocess
    from assay.store.samples import SplitArrays

    steps = for_new_samples(
        model.preprocessing,
        [windows_for(raw, own) for raw, own in zip(raws, features, strict=True)],
    )
    counts = [
        len(raw) if own.windows is None else len(own.windows.unshifted)
        for raw, own in zip(raws, steps.features, strict=True)
    ]
    if len(set(counts)) > 1:
        raise InvalidArgument(
            f"data: each Feature needs as many samples; got {counts} (rows, or windows)."
        )
    arrays = [
        preprocess(
            raw,
            {PREDICT_KEY: np.arange(count, dtype=np.int64)},
            own,
            train_key=None,
            fitted=steps.fitted_features[at],
        ).arrays[PREDICT_KEY]
        for at, (raw, own, count) in enumerate(zip(raws, steps.features, counts, strict=True))
    ]
    evaluation = evaluate_splits(model.for_samples(steps), {PREDICT_KEY: SplitArrays(arrays, None)})
    return prediction_frame(
        evaluation.predictions[PREDICT_KEY],
        (evaluation.probabilities or {}).get(PREDICT_KEY),
        class_names=evaluation.class_names,
        label_columns=label_columns,
    )


def input_name(at: int, count: int) -> str:
    """How errors name the new samples of the ``at``-th of ``count`` Features."""
    return "data" if count == 1 else f"data[{at}]"


def raw_input(value: Any, feature: Feature, trained: TrainedFeature, what: str) -> Any:
    """New samples of a trained Feature's columns, as its ``raw_data()`` would hold them.

    A Dataset (or its id) is read from the metastore; anything else goes to
    ``raw_in_memory``.

    Args:
        value: One Feature's new samples.
        feature: The trained Feature's row.
        trained: The same Feature as ``TrainedFeature.of(feature)`` gives it.
        what: How errors name the samples.

    Args:
        value: One Feature's new samples as ``as_inputs`` left them: a DataFrame or 2D
            ndarray (tabular), an ndarray of the Feature's dimensions (sequence, image),
            or a Dataset or its id.
        feature: The trained Feature whose columns are taken, in its order.
        what: How the error names the input, e.g. ``'data'`` or ``'data[1]'``.

    Raises:
        InvalidArgument: A form that does not fit the Feature's kind of Dataset, or missing
            columns (named).
    """
    from assay.orm.dataset import Dataset

    columns = trained.columns
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        value = Dataset.get_by_id(int(value))
    if isinstance(value, Dataset):
        _check_columns(list(value.columns), trained, what)
        if trained.kind == "tabular":
            return value.to_df(columns=columns)
        return value.to_arr(columns=columns)
    return raw_in_memory(value, trained, what)


def raw_in_memory(value: Any, trained: TrainedFeature, what: str) -> Any:
    """New samples in memory (a DataFrame or an ndarray) as the trained Feature's raw data.

    A table is read back through Parquet in memory, as registering it as a Dataset would
    store it, so that its dtypes are those ``Inference`` sees.

    Raises:
        InvalidArgument: A path, a form that does not fit the Feature's kind of Dataset, or
            missing columns (named).
    """
    from assay.data import arrays, tabular

    columns, kind = trained.columns, trained.kind
    if isinstance(value, (str, Path)):
        raise InvalidArgument(
            f"{what}: predict takes data in memory (a DataFrame, a dict of columns, records or "
            f"an ndarray); got the path {str(value)!r}. Read it first (e.g. pd.read_csv), or "
            "use Inference, which registers files."
        )
    if isinstance(value, np.ndarray) and value.ndim == 2 and kind == "tabular":
        value = pd.DataFrame(value)
    if isinstance(value, pd.DataFrame) and kind == "tabular":
        frame = tabular.name_columns(tabular.check_frame(value, what))
        _check_columns(list(frame.columns), trained, what)
        return tabular.from_parquet(tabular.to_parquet(frame[columns]))
    ndim = KIND_NDIM[kind]
    if isinstance(value, np.ndarray) and kind != "tabular" and value.ndim == ndim:
        names = arrays.column_names(value)
        _check_columns(names, trained, what)
        return arrays.select_array(value, names, columns, None)
    raise InvalidArgument(
        f"{what}: Predictor's Feature {trained.id} is drawn from a {kind} Dataset; got "
        f"{type(value).__name__}"
        + (f" of {value.ndim} dimensions" if isinstance(value, np.ndarray) else "")
        + (
            ". Pass a DataFrame, a dict of columns or records."
            if kind == "tabular"
            else f". Pass an ndarray of {ndim} dimensions."
        )
    )


def _check_columns(have: list[str], trained: TrainedFeature, what: str) -> None:
    missing = [column for column in trained.columns if column not in have]
    if missing:
        raise InvalidArgument(
            f"{what} lacks the columns {missing} that the Predictor's Feature {trained.id} was "
            "trained on."
        )


def dtypes_of(raw: Any, columns: list[str]) -> dict[str, str]:
    """``{column: dtype}`` of new samples of ``columns``, as a Dataset records them."""
    if isinstance(raw, pd.DataFrame):
        return {str(column): str(dtype) for column, dtype in raw.dtypes.items()}
    return dict.fromkeys(columns, str(raw.dtype))


def windows_for(raw: Any, trained: TrainedFeature) -> Windows | None:
    """The windows of new samples of a windowed Feature: the past only, the latest last.

    As ``Inference`` cuts them (``record_shifted=False``): no future is known.
    """
    from assay.preprocess.pipeline import Windows
    from assay.preprocess.window import window_indices

    if trained.window is None:
        return None
    size_window, size_shift = trained.window
    unshifted, _ = window_indices(len(raw), size_window, size_shift, False)
    return Windows(unshifted, None)


def for_new_samples(trained: FittedSteps, windows: list[Windows | None]) -> FittedSteps:
    """A Predictor's fitted preprocessing, applied to new samples without a Label.

    The trained steps and fitted coders, each windowed Feature's windows cut from the new
    samples, nothing to fit and no Label to score: what ``resolve_preprocessing`` gives an
    inference Splitset.
    """
    return dataclasses.replace(
        trained,
        features=[
            dataclasses.replace(own, windows=window)
            for own, window in zip(trained.features, windows, strict=True)
        ],
        has_label=False,
        train_key=None,
    )
