"""The interface every sampler implements (004's HyperoptSampler), and what they share.

A search asks a sampler for parameters (``sample`` / ``sample_batch``), trains with them, and
gives each ``(parameters, score)`` back (``update`` / ``update_batch``) until ``finished()``
or the search's own trial budget ends it. A subclass implements ``sample`` and ``finished``;
a sampler that learns from scores also overrides ``update``. Scores are those of ``goal``'s
direction; a failed trial scores None or NaN.

Resuming: a new sampler given the pairs a stopped search stored, through ``update``, carries on
from them (it does not propose them again where it can tell; see each sampler).
"""

from __future__ import annotations

import math
import secrets
from abc import ABC, abstractmethod
from collections.abc import Iterable
from typing import Any

from assay.errors import InvalidArgument
from assay.search.samplers.parameters import Parameter, parse_parameters, plain, value_key

GOALS = ("minimize", "maximize")


class Sampler(ABC):
    """Chooses hyperparameters to try, from a search space and (for some) the scores so far.

    Attributes:
        goal: ``"minimize"`` or ``"maximize"`` the score.
        parameters: The checked search space, by name (see ``parameters.Parameter``).
    """

    def __init__(self, goal: str, parameters: dict[str, dict[str, Any]]) -> None:
        """Check the goal and the parameter specs (004's form; see ``samplers.parameters``).

        Raises:
            InvalidArgument: A goal other than minimize or maximize, or a bad parameter spec.
        """
        if goal not in GOALS:
            raise InvalidArgument(f"goal must be one of {list(GOALS)}; got {goal!r}.")
        self.goal = goal
        self.parameters: dict[str, Parameter] = parse_parameters(parameters)

    @abstractmethod
    def sample(self) -> dict[str, Any]:
        """The next parameters to try, ``{name: value}``.

        Raises:
            IndexError: The sampler is finished.
        """

    @abstractmethod
    def finished(self) -> bool:
        """Whether the sampler has nothing more to propose."""

    def sample_batch(self, batch_size: int = 1) -> list[dict[str, Any]]:
        """Up to ``batch_size`` parameters to try at once (fewer when the sampler runs out).

        Raises:
            InvalidArgument: batch_size is not an int >= 1.
            IndexError: The sampler is finished.
        """
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
            raise InvalidArgument(f"batch_size must be an int >= 1; got {batch_size!r}.")
        self.check_not_finished()
        batch = []
        while len(batch) < batch_size and not self.finished():
            batch.append(self.sample())
        return batch

    def update(self, sampled_parameters: dict[str, Any], metric_score: float | None) -> None:
        """Take the score of parameters tried; stateless samplers only check the pair.

        Args:
            sampled_parameters: ``{name: value}``, as sampled (or as stored by an earlier search).
            metric_score: The score; None or NaN for a failed trial.

        Raises:
            InvalidArgument: Parameters that do not fit the search space, or a score that is
                not a number.
        """
        self.check_result(sampled_parameters, metric_score)

    def update_batch(
        self, parameters_metric_tuples: Iterable[tuple[dict[str, Any], float | None]]
    ) -> None:
        """``update`` each ``(sampled_parameters, metric_score)`` pair, in order."""
        for sampled_parameters, metric_score in parameters_metric_tuples:
            self.update(sampled_parameters, metric_score)

    def check_result(
        self, sampled_parameters: dict[str, Any], metric_score: float | None
    ) -> tuple[dict[str, Any], float | None]:
        """The pair, checked: parameters as plain values, and None for a failed trial's score.

        Raises:
            InvalidArgument: Parameters missing, extra or out of the space, or a score that
                is not a number (NaN and None mean failed; infinities are kept).
        """
        if not isinstance(sampled_parameters, dict) or set(sampled_parameters) != set(
            self.parameters
        ):
            raise InvalidArgument(
                f"sampled_parameters must be a dict with the names {list(self.parameters)}; "
                f"got {sampled_parameters!r}."
            )
        checked = {
            name: parameter.check(sampled_parameters[name])
            for name, parameter in self.parameters.items()
        }
        score = plain(metric_score)
        if score is not None and (isinstance(score, bool) or not isinstance(score, (int, float))):
            raise InvalidArgument(
                f"metric_score must be a number, or None (or NaN) for a failed trial; got {score!r}."
            )
        return checked, None if score is None or math.isnan(score) else float(score)

    def key(self, sampled_parameters: dict[str, Any]) -> tuple[str, ...]:
        """A hashable key of a point, equal for equal values (compared as JSON)."""
        return tuple(value_key(sampled_parameters[name]) for name in self.parameters)

    def check_not_finished(self) -> None:
        """Raise IndexError (004's signal) if finished: call it first in a subclass's ``sample``."""
        if self.finished():
            raise IndexError(f"{type(self).__name__} is finished: it has nothing left to sample.")


def check_count(value: Any, argument: str) -> int | None:
    """``value`` as an optional int >= 1 (num_samples and the like).

    Raises:
        InvalidArgument: Not None and not an int >= 1.
    """
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
        raise InvalidArgument(f"{argument} must be an int >= 1, or None; got {value!r}.")
    return value


def check_seed(seed: Any) -> int:
    """``seed`` as an int, or a fresh random one for None (kept, so a search can be repeated).

    Raises:
        InvalidArgument: Not None and not a non-negative int.
    """
    if seed is None:
        return secrets.randbelow(2**31)
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise InvalidArgument(f"seed must be an int >= 0, or None; got {seed!r}.")
    return seed
