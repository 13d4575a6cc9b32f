"""The learning objectives a block model is built for, and the names users may give them.

One canonical name per objective, so that tails and losses compare names and never parse
them: ``classification`` (binary, one output), ``multilabel`` (several independent binary
outputs), ``multiclass`` (one output per class, exactly one class true) and ``regression``
(one or several continuous targets).
"""

from __future__ import annotations

from assay.errors import InvalidArgument

CLASSIFICATION = "classification"
MULTILABEL = "multilabel"
MULTICLASS = "multiclass"
REGRESSION = "regression"

OBJECTIVE_NAMES: dict[str, str] = {
    "classification": CLASSIFICATION,
    "classifier": CLASSIFICATION,
    "binary": CLASSIFICATION,
    "multilabel": MULTILABEL,
    "multilabel_classification": MULTILABEL,
    "multiclass": MULTICLASS,
    "multiclassifier": MULTICLASS,
    "multiclass_classification": MULTICLASS,
    "regression": REGRESSION,
    "regressor": REGRESSION,
    "multiregression": REGRESSION,
}


def canonical_objective(objective: str) -> str:
    """The canonical name of ``objective`` (case-insensitive; aliases as in OBJECTIVE_NAMES).

    Raises:
        InvalidArgument: When the name is not one of the known names.
    """
    key = objective.strip().lower().replace("-", "_") if isinstance(objective, str) else None
    if key not in OBJECTIVE_NAMES:
        known = ", ".join(repr(name) for name in OBJECTIVE_NAMES)
        raise InvalidArgument(f"objective must be one of {known}; got {objective!r}.")
    return OBJECTIVE_NAMES[key]


def check_n_out(objective: str, n_out: int) -> None:
    """Check that ``n_out`` outputs suit the (canonical) ``objective``.

    Raises:
        InvalidArgument: For a count below one, a binary objective with several outputs, or a
            multiclass objective with fewer than two.
    """
    if isinstance(n_out, bool) or not isinstance(n_out, int) or n_out < 1:
        raise InvalidArgument(f"n_out must be a positive integer; got {n_out!r}.")
    if objective == CLASSIFICATION and n_out != 1:
        raise InvalidArgument(
            f"n_out must be 1 for the 'classification' objective (one probability); got {n_out}. "
            "Use objective='multilabel' for several independent labels, or 'multiclass' for "
            "one class among several."
        )
    if objective == MULTICLASS and n_out < 2:
        raise InvalidArgument(
            f"n_out must be the number of classes (2 or more) for 'multiclass'; got {n_out}."
        )
