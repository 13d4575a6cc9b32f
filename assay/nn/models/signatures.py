"""What arguments a block class, a partial of one, or an optimiser class accepts."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any


def keywords(target: Callable[..., Any]) -> tuple[set[str], bool]:
    """The argument names ``target`` accepts, and whether it also takes ``**kwargs``."""
    try:
        parameters = inspect.signature(target).parameters.values()
    except (TypeError, ValueError):
        return set(), True
    names = {p.name for p in parameters if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)}
    return names, any(p.kind is p.VAR_KEYWORD for p in parameters)


def bound_keywords(target: Callable[..., Any]) -> set[str]:
    """The keywords a ``functools.partial`` (nested or not) already sets."""
    bound: set[str] = set()
    while isinstance(target, functools.partial):
        bound |= set(target.keywords)
        target = target.func
    return bound


def callable_name(target: Callable[..., Any]) -> str:
    """The class or function name behind ``target`` (through partials)."""
    while isinstance(target, functools.partial):
        target = target.func
    return getattr(target, "__name__", repr(target))
