"""Checks of an Algorithm's functions, and their source text for ``get_code``."""

from __future__ import annotations

import inspect
import textwrap
from collections.abc import Callable
from typing import Any

from assay.errors import InvalidArgument

ANALYSIS_TYPES = ("classification_binary", "classification_multi", "regression")

#: (positional parameters, whether **hp is required) of each function.
SIGNATURES = {
    "fn_build": (("features_shape", "label_shape"), True),
    "fn_train": (
        (
            "model",
            "loser",
            "optimizer",
            "train_features",
            "train_label",
            "eval_features",
            "eval_label",
        ),
        True,
    ),
    "fn_predict": (("model", "features"), False),
    "fn_lose": ((), True),
    "fn_optimize": ((), True),
}


def check_function(name: str, function: Any) -> None:
    """Raise unless ``function`` is a function whose parameters fit the spec's signature.

    Parameter names may differ from the spec's; the count of positional parameters and the
    presence of ``**hp`` (where the spec passes hyperparameters) are what is checked.
    ``fn_optimize`` may also take the model first: ``fn_optimize(model, **hp)``.

    Args:
        name: One of ``SIGNATURES``.
        function: What the user gave.

    Raises:
        InvalidArgument: A class or non-callable, or parameters that do not fit.
    """
    positional, needs_hp = SIGNATURES[name]
    if name == "fn_optimize":  # PyTorch optimizers need the model: fn_optimize(model, **hp)
        positional = ("model",)
    expected = f"def {name}({', '.join([*positional, '**hp'] if needs_hp else positional)})"
    if inspect.isclass(function) or not callable(function):
        raise InvalidArgument(f"{name} must be a function like `{expected}`; got {function!r}.")
    try:
        parameters = list(inspect.signature(function).parameters.values())
    except (TypeError, ValueError) as exc:
        raise InvalidArgument(f"{name}: cannot read its signature ({exc}).") from exc
    kinds = inspect.Parameter
    plain = [
        p for p in parameters if p.kind in (kinds.POSITIONAL_ONLY, kinds.POSITIONAL_OR_KEYWORD)
    ]
    has_varargs = any(p.kind == kinds.VAR_POSITIONAL for p in parameters)
    has_kwargs = any(p.kind == kinds.VAR_KEYWORD for p in parameters)
    required = [p for p in plain if p.default is inspect.Parameter.empty]
    too_few = len(plain) < len(positional) and not has_varargs and name != "fn_optimize"
    if len(required) > len(positional) or too_few:
        raise InvalidArgument(
            f"{name} takes {len(plain)} positional parameter(s) "
            f"({', '.join(p.name for p in plain)}); it must be `{expected}`."
        )
    if needs_hp and not has_kwargs:
        raise InvalidArgument(f"{name} must accept the hyperparameters as **hp: `{expected}`.")


def check_functions(
    library: str,
    analysis_type: str,
    fn_build: Callable,
    fn_train: Callable,
    fn_predict: Callable | None = None,
    fn_lose: Callable | None = None,
    fn_optimize: Callable | None = None,
) -> None:
    """Validate an Algorithm's library, analysis_type and functions.

    Args:
        library: A registered library (``assay.train.adapters.LIBRARIES``).
        analysis_type: One of ``ANALYSIS_TYPES``.
        fn_build: ``fn_build(features_shape, label_shape, **hp) -> model``.
        fn_train: ``fn_train(model, loser, optimizer, train_features, train_label,
            eval_features, eval_label, **hp)``.
        fn_predict: ``fn_predict(model, features)``, or None for the default.
        fn_lose: ``fn_lose(**hp) -> loser``, or None for the default.
        fn_optimize: ``fn_optimize(**hp)`` (or ``(model, **hp)``), or None for the default.

    Raises:
        InvalidArgument: Naming the argument and what it must be.
    """
    from assay.train.adapters import LIBRARIES

    if library not in LIBRARIES:
        raise InvalidArgument(f"library must be one of {list(LIBRARIES)}; got {library!r}.")
    if analysis_type not in ANALYSIS_TYPES:
        raise InvalidArgument(
            f"analysis_type must be one of {list(ANALYSIS_TYPES)}; got {analysis_type!r}."
        )
    functions = {
        "fn_build": fn_build,
        "fn_train": fn_train,
        "fn_predict": fn_predict,
        "fn_lose": fn_lose,
        "fn_optimize": fn_optimize,
    }
    for name, function in functions.items():
        if function is None and name in ("fn_build", "fn_train"):
            raise InvalidArgument(f"{name} is required.")
        if function is not None:
            check_function(name, function)


def get_code(function: Callable) -> str:
    """The source text of a function, dedented.

    Args:
        function: Any function.

    Returns:
        Its source, or ``'<source unavailable: ...>'`` when Python cannot find it (a function
        typed into a REPL, or made with ``exec``).
    """
    try:
        return textwrap.dedent(inspect.getsource(function))
    except (OSError, TypeError) as exc:
        return f"<source unavailable: {exc}>"
