"""What a search is: the sampler, the space, and how a trial is scored (004's hyperopt section).

``Search`` only holds and checks its settings; ``Queue.from_algorithm(..., search=Search(...))``
records them, and ``Queue.run_jobs`` runs the search (see ``assay.search.loop``). Everything is
checked when the Search is made, so that a bad one never reaches the metastore.
"""

from __future__ import annotations

import copy
import inspect
import json
from typing import Any

import cloudpickle

from assay.errors import InvalidArgument
from assay.search.samplers import Sampler, get_sampler, sampler_registry
from assay.search.samplers.base import GOALS
from assay.search.samplers.parameters import Parameter, parse_parameters

#: The splits a trial may be scored on (with folds, ``validation`` is the folds' validation).
SPLITS = ("train", "validation", "test")


class Search:
    """A hyperparameter search: which sampler, over which space, scored by what.

    Attributes:
        sampler_name: The sampler's registered name, or its class's name.
        parameters: 004's parameter specs, checked (plain values, defaults left out).
        goal: ``"minimize"`` or ``"maximize"`` the score.
        metric: The metric that scores a trial (e.g. ``"loss"``, ``"accuracy"``).
        split: ``"train"``, ``"validation"`` or ``"test"``.
        n_trials: How many trials at most; None: until the sampler is finished.
        options: The sampler's own options, with the seed it drew when none was given, so
            that a resumed search rebuilds the very same sampler.
    """

    def __init__(
        self,
        sampler: str | type[Sampler] | Sampler = "tpe",
        parameters: dict[str, dict[str, Any]] | None = None,
        goal: str | None = None,
        metric: str = "loss",
        split: str = "validation",
        n_trials: int | None = None,
        **options: Any,
    ) -> None:
        """Check every setting by building the sampler once.

        Args:
            sampler: A name in ``sampler_registry`` (``grid``, ``random``, ``tpe``, ``gp``, or
                one of your own), a Sampler subclass, or a Sampler built already (it must
                pickle, so that a resumed search can rebuild it).
            parameters: 004's specs: ``{"name": {"type": "float"|"int"|"category", ...}}``;
                None for a built sampler: its own.
            goal: ``"minimize"`` or ``"maximize"`` the metric; None: a built sampler's own,
                else ``"minimize"``.
            metric: The metric of a trial's models, averaged over its folds and repeats;
                checked against the Algorithm's analysis type when the Queue is made.
            split: The split the metric is read on: ``"train"``, ``"validation"`` (with folds,
                each fold's held-out samples) or ``"test"``.
            n_trials: The most trials to run, an int >= 1; None runs until the sampler is
                finished, which needs a sampler that finishes (``grid``, or one given
                ``num_samples``).
            **options: The sampler's own options, e.g. ``seed=0``, ``num_samples=20``,
                ``n_startup_trials=5``.

        Raises:
            InvalidArgument: Naming the argument: an unknown sampler, bad specs, goal, metric,
                split or n_trials, options the sampler does not take, or no n_trials for a
                sampler that never finishes.
        """
        if isinstance(sampler, Sampler):
            goal = sampler.goal if goal is None else goal
            if parameters is None:
                parameters = {name: spec_of(p) for name, p in sampler.parameters.items()}
        goal = "minimize" if goal is None else goal
        if not isinstance(metric, str) or not metric:
            raise InvalidArgument(f"metric must be a metric's name (a str); got {metric!r}.")
        if split not in SPLITS:
            raise InvalidArgument(f"split must be one of {list(SPLITS)}; got {split!r}.")
        if goal not in GOALS:
            raise InvalidArgument(f"goal must be one of {list(GOALS)}; got {goal!r}.")
        if n_trials is not None and (
            isinstance(n_trials, bool) or not isinstance(n_trials, int) or n_trials < 1
        ):
            raise InvalidArgument(f"n_trials must be an int >= 1, or None; got {n_trials!r}.")
        space = parse_parameters(parameters)
        built = get_sampler(sampler, goal, parameters, **options)
        if isinstance(sampler, Sampler):
            self.factory: type[Sampler] | Sampler = copy.deepcopy(sampler)
            _check_pickles(sampler)
        else:
            self.factory = type(built)
            if "seed" not in options and isinstance(getattr(built, "seed", None), int):
                options = {**options, "seed": built.seed}
        if n_trials is None and not finishes(built):
            raise InvalidArgument(
                f"n_trials is needed: sampler {sampler_label(sampler)!r} never finishes by "
                "itself. Give n_trials (or num_samples, for a sampler that takes it)."
            )
        _check_json(options)
        self.sampler_name = sampler_label(sampler)
        self.parameters = {name: spec_of(parameter) for name, parameter in space.items()}
        self.goal = goal
        self.metric = metric
        self.split = split
        self.n_trials = n_trials
        self.options = options

    def __repr__(self) -> str:
        return (
            f"Search(sampler={self.sampler_name!r}, goal={self.goal!r}, metric={self.metric!r}, "
            f"split={self.split!r}, n_trials={self.n_trials!r}, parameters={list(self.parameters)})"
        )

    def build_sampler(self) -> Sampler:
        """A fresh sampler, as the search starts with it (see ``build_sampler``)."""
        return build_sampler(self.factory, self.goal, self.parameters, self.options)


def build_sampler(
    factory: type[Sampler] | Sampler,
    goal: str,
    parameters: dict[str, dict[str, Any]],
    options: dict[str, Any],
) -> Sampler:
    """A fresh sampler: the class built with the options, or a copy of the instance given.

    Args:
        factory: A Sampler subclass, or a Sampler as the user built it (never sampled from).
        goal: The search's goal.
        parameters: The search's parameter specs.
        options: The sampler's options (for a class).
    """
    if isinstance(factory, Sampler):
        return copy.deepcopy(factory)
    return get_sampler(factory, goal, parameters, **options)


def spec_of(parameter: Parameter) -> dict[str, Any]:
    """A checked Parameter as 004's spec again (its defaults left out)."""
    if parameter.type == "category":
        return {"type": "category", "values": list(parameter.values)}
    spec = {"type": parameter.type, "low": parameter.low, "high": parameter.high}
    if parameter.steps is not None:
        spec["steps"] = parameter.steps
    if parameter.scale != "linear":
        spec["scale"] = parameter.scale
    return spec


def finishes(sampler: Sampler) -> bool:
    """Whether a sampler ends by itself: a grid (it has a length), or num_samples given."""
    if callable(getattr(sampler, "__len__", None)):
        return True
    return getattr(sampler, "num_samples", None) is not None


def sampler_label(sampler: str | type[Sampler] | Sampler) -> str:
    """The name a sampler is shown and stored by: its registered name, else its class's."""
    if isinstance(sampler, str):
        return sampler
    cls = sampler if inspect.isclass(sampler) else type(sampler)
    names = [name for name, registered in sampler_registry.items() if registered is cls]
    return names[0] if names else cls.__name__


def _check_json(options: dict[str, Any]) -> None:
    """Raise unless the sampler's options can be stored as JSON (a resumed search reads them)."""
    try:
        json.dumps(options, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise InvalidArgument(
            f"options: a search stores its sampler's options as JSON, and {sorted(options)} "
            f"cannot be ({exc}); pass a sampler built with them instead (Search(sampler=...))."
        ) from exc


def _check_pickles(sampler: Sampler) -> None:
    """Raise unless a built sampler pickles (a resumed search rebuilds it from the metastore)."""
    try:
        cloudpickle.dumps(sampler)
    except Exception as exc:
        raise InvalidArgument(
            f"sampler: {type(sampler).__name__} could not be pickled ({exc}), so a resumed "
            "search could not rebuild it; pass its class or registered name with its options."
        ) from exc
