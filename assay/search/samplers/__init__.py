"""Samplers choose the hyperparameters of each trial of a search (004's HyperoptSampler).

One module per sampler behind one base (``base.Sampler``), found by name in
``sampler_registry``: ``grid``, ``random``, ``tpe`` and ``gp`` (the last two drive Optuna, the
``search`` extra, imported only when such a sampler is built). Add your own with
``sampler_registry["name"] = MySampler`` (or ``@sampler_registry.register("name")``); it is then
accepted wherever a built-in name is.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator, MutableMapping
from typing import Any

from assay.errors import InvalidArgument
from assay.search.samplers.base import GOALS, Sampler
from assay.search.samplers.gp import GPSampler
from assay.search.samplers.grid import GridSampler
from assay.search.samplers.parameters import Parameter, parse_parameters
from assay.search.samplers.random import RandomSampler
from assay.search.samplers.study import OptunaSampler
from assay.search.samplers.tpe import TPESampler

__all__ = [
    "GOALS",
    "GPSampler",
    "GridSampler",
    "OptunaSampler",
    "Parameter",
    "RandomSampler",
    "Sampler",
    "SamplerRegistry",
    "TPESampler",
    "get_sampler",
    "sampler_registry",
]


class SamplerRegistry(MutableMapping[str, type[Sampler]]):
    """Sampler classes by name (004's ``sampler_registry``); only Sampler subclasses go in."""

    def __init__(self) -> None:
        self._classes: dict[str, type[Sampler]] = {}

    def __getitem__(self, name: str) -> type[Sampler]:
        try:
            return self._classes[name]
        except KeyError:
            raise KeyError(f"no sampler named {name!r}; known: {sorted(self._classes)}") from None

    def __setitem__(self, name: str, sampler_class: type[Sampler]) -> None:
        if not isinstance(name, str) or not name:
            raise InvalidArgument(f"a sampler's name must be a non-empty str; got {name!r}.")
        if not (inspect.isclass(sampler_class) and issubclass(sampler_class, Sampler)):
            raise InvalidArgument(
                f"sampler_registry[{name!r}] must be a subclass of assay.search.Sampler; "
                f"got {sampler_class!r}."
            )
        self._classes[name] = sampler_class

    def __delitem__(self, name: str) -> None:
        del self._classes[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._classes)

    def __len__(self) -> int:
        return len(self._classes)

    def __repr__(self) -> str:
        return f"SamplerRegistry({self._classes!r})"

    def register(self, name: str) -> Callable[[type[Sampler]], type[Sampler]]:
        """A class decorator: ``@sampler_registry.register("mine")`` adds the class by name."""

        def add(sampler_class: type[Sampler]) -> type[Sampler]:
            self[name] = sampler_class
            return sampler_class

        return add


sampler_registry = SamplerRegistry()
for _name, _class in (
    ("grid", GridSampler),
    ("random", RandomSampler),
    ("tpe", TPESampler),
    ("gp", GPSampler),
):
    sampler_registry[_name] = _class


def get_sampler(
    name_or_instance: str | type[Sampler] | Sampler,
    goal: str | None = None,
    parameters: dict[str, dict[str, Any]] | None = None,
    **options: Any,
) -> Sampler:
    """A sampler from its registered name (or class), built for a goal and parameters.

    Args:
        name_or_instance: A name in ``sampler_registry``, a Sampler subclass, or a Sampler
            already built (returned as it is).
        goal: ``"minimize"`` or ``"maximize"``; for an instance, checked against its own.
        parameters: 004's parameter specs; for an instance, checked against its own.
        **options: The sampler's own arguments (``num_samples``, ``seed``, ...); not for an
            instance.

    Raises:
        InvalidArgument: An unknown name (listing the known ones), options the sampler does
            not take, or an instance built for another goal or other parameters.
    """
    if isinstance(name_or_instance, Sampler):
        return _check_instance(name_or_instance, goal, parameters, options)
    sampler_class = name_or_instance
    if not inspect.isclass(sampler_class):
        if not isinstance(name_or_instance, str) or name_or_instance not in sampler_registry:
            raise InvalidArgument(
                f"sampler must be one of {sorted(sampler_registry)} (or a Sampler); "
                f"got {name_or_instance!r}."
            )
        sampler_class = sampler_registry[name_or_instance]
    if not issubclass(sampler_class, Sampler):
        raise InvalidArgument(f"sampler must be a Sampler subclass; got {sampler_class!r}.")
    try:
        inspect.signature(sampler_class).bind(goal, parameters, **options)
    except TypeError as exc:
        raise InvalidArgument(
            f"{sampler_class.__name__} takes {list(inspect.signature(sampler_class).parameters)}"
            f"; got goal, parameters and options {sorted(options)} ({exc})."
        ) from exc
    return sampler_class(goal, parameters, **options)


def _check_instance(
    sampler: Sampler, goal: str | None, parameters: dict | None, options: dict
) -> Sampler:
    """A built sampler, if the goal, parameters and (no) options asked for fit it."""
    if options:
        raise InvalidArgument(
            f"options {sorted(options)} are for a sampler given by name; "
            f"{type(sampler).__name__} was built already."
        )
    if goal is not None and goal != sampler.goal:
        raise InvalidArgument(
            f"goal {goal!r} differs from the sampler's own goal {sampler.goal!r}; pass one goal."
        )
    if parameters is not None and parse_parameters(parameters) != sampler.parameters:
        raise InvalidArgument(
            "parameters differ from those the sampler was built with; pass the same ones."
        )
    return sampler
