"""What the preprocessor rows share: argument checks, column filters and their numbering.

Also the checks a Splitset and a Queue make of the samples against those rows: text that
no coder encodes, gaps that nothing fills.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assay.errors import InvalidArgument

if TYPE_CHECKING:
    from assay.orm.encode import FeatureCoder, LabelCoder
    from assay.orm.feature import Feature
    from assay.orm.interpolate import FeatureInterpolater, LabelInterpolater
    from assay.orm.label import Label
    from assay.orm.splitset import Splitset
    from assay.preprocess.pipeline import EncodeStep, InterpolateStep, Steps


def check_bool(value: Any, argument: str) -> None:
    """Raise unless ``value`` is a bool."""
    if not isinstance(value, bool):
        raise InvalidArgument(f"{argument} must be True or False; got {value!r}.")


def next_idx(db: Session, model: type, condition: Any) -> int:
    """The zero-based position of a new row among its siblings.

    Args:
        db: The transaction that writes the new row.
        model: Its table.
        condition: Which rows are its siblings, e.g. ``FeatureCoder.feature_id == 3``.
    """
    return int(db.scalar(select(func.count()).select_from(model).where(condition)) or 0)


def claimed_columns(siblings: list[Any]) -> set[str]:
    """The columns that earlier preprocessors of the same kind already cover."""
    return {column for sibling in siblings for column in sibling.matching_columns}


@dataclass(frozen=True)
class ColumnMatch:
    """The outcome of a dtype/column filter over a Feature's columns."""

    matching: list[str]
    leftover_columns: list[str]
    leftover_dtypes: dict[str, str]
    original_filter: dict[str, Any]

    def columns_record(self) -> dict[str, Any]:
        """The row attributes that record this match."""
        return {
            "matching_columns": self.matching,
            "leftover_columns": self.leftover_columns,
            "leftover_dtypes": self.leftover_dtypes,
            "original_filter": self.original_filter,
        }


def column_filter(
    feature: Any,
    *,
    include: bool,
    dtypes: Any,
    columns: Any,
    claimed: set[str],
    verbose: bool,
    what: str,
) -> ColumnMatch:
    """Apply a preprocessor's filter to the Feature's columns that no sibling has claimed.

    Args:
        feature: The Feature whose columns are filtered.
        include: Take the columns the filters match (True) or every other one (False).
        dtypes: Filter by these dtypes (one or a list), or None.
        columns: Filter by these columns (one or a list), or None.
        claimed: Columns that earlier preprocessors of the same kind already cover.
        verbose: Print which columns matched and which are left over.
        what: The kind of preprocessor, for the messages (e.g. ``"FeatureCoder"``).

    Raises:
        InvalidArgument: Unknown columns, a filter that matches nothing, or columns that an
            earlier preprocessor of this Feature already covers.
    """
    from assay.preprocess.filters import describe_match, match_columns

    feature_dtypes = feature.get_dtypes()
    names = [str(column) for column in feature.columns]
    if columns is not None:
        wanted = [columns] if isinstance(columns, str) else list(columns)
        taken = sorted(set(wanted) & claimed)
        if taken:
            raise InvalidArgument(
                f"columns: {taken!r} are already covered by an earlier {what} of Feature "
                f"{feature.id}; each column can be preprocessed by one {what} only."
            )
    matching = match_columns(
        names,
        feature_dtypes,
        include=include,
        filter_dtypes=dtypes,
        filter_columns=columns,
        claimed=claimed,
    )
    leftover = [name for name in names if name not in matching and name not in claimed]
    if verbose:
        print(
            describe_match(
                names,
                feature_dtypes,
                matching,
                include=include,
                filter_dtypes=dtypes,
                filter_columns=columns,
                claimed=claimed,
                what=f"{what} of Feature {feature.id}",
            )
        )
    return ColumnMatch(
        matching=list(matching),
        leftover_columns=leftover,
        leftover_dtypes={name: feature_dtypes[name] for name in leftover},
        original_filter={
            "include": include,
            "dtypes": _jsonable(dtypes),
            "columns": _jsonable(columns),
        },
    )


def _jsonable(value: Any) -> Any:
    """Filters as JSON: dtypes given as numpy types become their names."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, (list, tuple)):
        return [_jsonable(item) for item in value]
    return getattr(value, "__name__", str(value))


def interpolate_steps(
    rows: list[FeatureInterpolater] | list[LabelInterpolater],
) -> list[InterpolateStep]:
    """Interpolater rows as the pipeline's steps."""
    from assay.preprocess.pipeline import InterpolateStep

    return [
        InterpolateStep(row.matching_columns, row.interpolate_kwargs, row.process_separately)
        for row in rows
    ]


def encode_steps(rows: list[FeatureCoder] | list[LabelCoder]) -> list[EncodeStep]:
    """Coder rows (imputers first, as they apply) as the pipeline's steps."""
    from assay.preprocess.impute import is_imputer
    from assay.preprocess.pipeline import EncodeStep

    return [
        EncodeStep(
            row.sklearn_preprocess,
            row.encoding_dimension,
            row.matching_columns,
            row.is_categorical,
            is_imputer(row.sklearn_preprocess),
        )
        for row in rows
    ]


def feature_steps(
    columns: list[str],
    interpolaters: list[Any],
    coders: list[Any],
    window: Any = None,
    shaper: Any = None,
) -> Steps:
    """A Feature's recorded preprocessing as the pipeline's ``Steps``.

    Args:
        columns: The Feature's columns.
        interpolaters: Its FeatureInterpolater rows, by idx.
        coders: Its FeatureCoder rows in the order they apply (imputers first, then by idx).
        window: Its Window row, if any.
        shaper: Its FeatureShaper row, if any (and wanted).
    """
    from assay.preprocess.pipeline import Steps, Windows

    return Steps(
        columns=list(columns),
        interpolaters=interpolate_steps(interpolaters),
        coders=encode_steps(coders),
        windows=None
        if window is None
        else Windows(window.unshifted_indices(), window.shifted_indices()),
        reshape_indices=None if shaper is None else shaper.reshape_indices,
    )


def label_steps(columns: list[str], interpolaters: list[Any], coders: list[Any]) -> Steps:
    """A Label's recorded preprocessing (its interpolater and coder rows) as ``Steps``.

    Args:
        columns: The Label's columns.
        interpolaters: Its LabelInterpolater rows, by idx.
        coders: Its LabelCoder rows, by idx.
    """
    from assay.preprocess.pipeline import Steps

    return Steps(
        columns=list(columns),
        interpolaters=interpolate_steps(interpolaters),
        coders=encode_steps(coders),
    )


def check_samples(
    features: list[Feature], label: Label | None, trained: Splitset | None = None
) -> None:
    """Raise, before anything is written, on samples the cache or a model could not take.

    Args:
        features: The Features.
        label: The Label, if any.
        trained: For inference, the Splitset the Predictor was trained on: its
            preprocessing applies.

    Raises:
        InvalidArgument: See ``check_encodable`` and ``check_gaps_filled``.
    """
    from assay.orm.label import check_gaps_filled

    check_encodable(features, label, trained)
    if trained is not None:
        check_gaps_fillable(features, trained)
    if label is not None:
        trained_label = label if trained is None else trained.label
        interpolated = trained_label is not None and bool(trained_label.labelinterpolaters)
        check_gaps_filled(label, label.to_df(), interpolated)


def check_gaps_fillable(features: list[Feature], trained: Splitset) -> None:
    """Raise when new samples have gaps that the Predictor's preprocessing cannot fill.

    An imputer or an interpolater of the trained Feature fills its columns; a column that
    had gaps when the model was trained is left to it (XGBoost takes NaN, a OneHotEncoder
    may have learned the gap as a category). Any other gap would reach the model as NaN.

    Raises:
        InvalidArgument: Naming the columns, how many values are missing, and the imputer
            to train with.
    """
    for new, old in zip(features, trained.features, strict=True):
        check_data_fillable(new.raw_data(), old, f"feature_ids: Feature {new.id}")


def filled_columns(feature: Feature) -> set[str]:
    """The columns of a Feature that an imputer or an interpolater of it fills."""
    filled = {c for row in feature.featurecoders if row.is_imputer for c in row.matching_columns}
    return filled | {c for row in feature.featureinterpolaters for c in row.matching_columns}


def encoded_columns(feature: Feature) -> set[str]:
    """The columns of a Feature that a coder (not an imputer) of it encodes."""
    return {c for row in feature.featurecoders if not row.is_imputer for c in row.matching_columns}


def check_data_fillable(data: Any, old: Feature, what: str) -> None:
    """Raise when new samples of a trained Feature have gaps its preprocessing cannot fill.

    Args:
        data: The new samples of ``old``'s columns: a DataFrame, or an array whose last
            axis holds them.
        old: The Feature the Predictor was trained on.
        what: How the error names the new samples, e.g. ``"feature_ids: Feature 3"``.

    Raises:
        InvalidArgument: See ``check_gaps_fillable``.
    """
    from assay.preprocess.impute import gap_counts, refuse_gaps, unfilled_gaps

    columns = list(old.columns)
    gaps = unfilled_gaps(data, columns, filled_columns(old))
    if gaps:  # a column with gaps when the model was trained is left to it
        seen = gap_counts(old.raw_data(), columns)
        gaps = {column: count for column, count in gaps.items() if column not in seen}
    refuse_gaps(gaps, old.id, what)


def check_encodable(
    features: list[Feature], label: Label | None, trained: Splitset | None = None
) -> None:
    """Raise unless every column reaching the samples cache is numbers or has a coder.

    Text (or dates, or categories) cannot be cached for a model as they are; without this
    check they passed ``Splitset.make`` and the Queue and failed inside ``run_jobs``.

    Args:
        features: The Features.
        label: The Label, if any.
        trained: For inference, the Splitset the Predictor was trained on: its coders apply.

    Raises:
        InvalidArgument: Naming the columns, their dtypes and the coder to add.
    """
    from assay.preprocess.filters import is_numeric

    olds = features if trained is None else trained.features
    for new, old in zip(features, olds, strict=True):
        check_dtypes_encodable(new.get_dtypes(), old, f"feature_ids: Feature {new.id}'s")
    old_label = label if trained is None else trained.label
    if label is None or (old_label is not None and old_label.labelcoder is not None):
        return
    text = {column: dtype for column, dtype in label.get_dtypes().items() if not is_numeric(dtype)}
    if text:
        raise InvalidArgument(
            f"label_id: Label {label.id}'s column(s) {text} (column: dtype) are not numbers and "
            "it has no LabelCoder, so no model can take them. Encode them: "
            f"LabelCoder.from_label({label.id}, OrdinalEncoder()) or OneHotEncoder() (in a "
            "Pipeline: Target(..., encoder=OrdinalEncoder()))."
        )


def check_dtypes_encodable(dtypes: dict[str, str], old: Feature, what: str) -> None:
    """Raise unless each column of these dtypes is numbers or a coder of ``old`` encodes it.

    Args:
        dtypes: ``{column: dtype}`` of some samples of ``old``'s columns.
        old: The Feature whose coders apply (the trained one, for inference).
        what: How the error names the samples' owner, e.g. ``"feature_ids: Feature 3's"``.

    Raises:
        InvalidArgument: See ``check_encodable``.
    """
    from assay.preprocess.filters import check_numbers_or_encoded

    check_numbers_or_encoded(dtypes, encoded_columns(old), old.id, what)
