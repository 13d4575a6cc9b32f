"""Samplers choose the hyperparameters of each trial of a search (004's HyperoptSampler).

One module per sampler behind one base (``base.Sampler``), found by name in
``sampler_registry``: ``grid``, ``random``, ``tpe`` and ``gp`` (the last two drive Optuna, the
``search`` extra, imported only when such a sampler is built). Add your own with
``sampler_registry["name"] = MySampler`` (or ``@sampler_registry.register("name")``), or from an
installed package through the ``assay.samplers`` entry-point group; it is then accepted wherever
a built-in name is.
"""

from __future__ import annotations

from typing import Any

from assay.errors import InvalidArgument
from assay.plugins.registry import ClassRegistry
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
    "TPESampler",
    "get_sampler",
    "sampler_registry",
]


sampler_registry: ClassRegistry[Sampler] = ClassRegistry(Sampler, "sampler", group="assay.samplers")
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
    sampler_class = sampler_registry.resolve(name_or_instance)
    return sampler_registry.build(sampler_class, "goal, parameters", goal, parameters, **options)


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
