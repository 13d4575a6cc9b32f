"""Samplers that drive one of Optuna's samplers by ask and tell on an in-memory study.

Optuna is the ``search`` extra and is imported when such a sampler is built, never on import.
A subclass names the Optuna sampler to build (``make_optuna_sampler``); this class maps the
parameter specs to Optuna distributions (categories by position, so any JSON value works),
tells each score to the trial that sampled it, and adds a scored point that it did not sample
as a finished trial (``create_trial``/``add_trial``), so that a resumed search starts from the
trials already stored.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from assay.errors import InvalidArgument, require
from assay.search.samplers.base import Sampler, check_count, check_seed
from assay.search.samplers.parameters import Parameter

if TYPE_CHECKING:
    import optuna


class OptunaSampler(Sampler):
    """A Sampler backed by an Optuna sampler and an in-memory ``optuna.Study``.

    Attributes:
        study: The study holding every trial: sampled (running until scored), told and added.
        seed: The seed of the Optuna sampler (given, or picked and kept).
        num_samples: Finished after this many trials; None: never by itself.
    """

    def __init__(
        self,
        goal: str,
        parameters: dict[str, dict[str, Any]],
        num_samples: int | None = None,
        seed: int | None = None,
        **options: Any,
    ) -> None:
        """Check the space and create the study.

        Args:
            goal: ``"minimize"`` or ``"maximize"``.
            parameters: 004's parameter specs (``steps`` is ignored: the whole range is searched).
            num_samples: Finished after this many trials; None: the search's ``n_trials`` ends it.
            seed: Seeds the Optuna sampler; None picks one, kept in ``self.seed``.
            **options: Passed to the Optuna sampler's constructor (e.g. ``n_startup_trials``).

        Raises:
            InvalidArgument: A bad goal, spec, num_samples, seed, or an option the Optuna
                sampler does not take.
            MissingDependency: Optuna (or what the Optuna sampler needs) is not installed.
        """
        super().__init__(goal, parameters)
        self.num_samples = check_count(num_samples, "num_samples")
        self.seed = check_seed(seed)
        self.options = options
        optuna = require("optuna", extra="search", caller=type(self).__name__)
        self._distributions = {
            name: _distribution(optuna, parameter) for name, parameter in self.parameters.items()
        }
        with quiet_optuna(optuna):
            self.study = optuna.create_study(direction=goal, sampler=self._build(self.seed))
        self._pending: dict[tuple[str, ...], list[int]] = {}
        self._added_since_ask = False

    @abstractmethod
    def make_optuna_sampler(self, seed: int, **options: Any) -> optuna.samplers.BaseSampler:
        """The Optuna sampler to drive, seeded with ``seed``."""

    def sample(self) -> dict[str, Any]:
        """Ask the study for a trial; its parameters, as values of the specs.

        Raises:
            IndexError: num_samples trials exist already.
        """
        self.check_not_finished()
        if self._added_since_ask:
            # Trials were added: reseed (from the seed and their count), so that a search
            # resumed with the same seed does not draw its first random points again.
            self.study.sampler = self._build((self.seed + 7919 * len(self.study.trials)) % 2**32)
            self._added_since_ask = False
        trial = self.study.ask(self._distributions)
        point = {
            name: _from_optuna(parameter, trial.params[name])
            for name, parameter in self.parameters.items()
        }
        self._pending.setdefault(self.key(point), []).append(trial.number)
        return point

    def finished(self) -> bool:
        """Whether num_samples trials exist (never, without num_samples)."""
        return self.num_samples is not None and len(self.study.trials) >= self.num_samples

    def update(self, sampled_parameters: dict[str, Any], metric_score: float | None) -> None:
        """Tell the score to the trial that sampled these parameters, or add it as a new trial.

        A None or NaN score marks the trial failed (the Optuna samplers then leave it out).
        """
        import optuna

        checked, score = self.check_result(sampled_parameters, metric_score)
        states = optuna.trial.TrialState
        state = states.COMPLETE if score is not None else states.FAIL
        numbers = self._pending.get(self.key(checked))
        with quiet_optuna(optuna):
            if numbers:
                self.study.tell(numbers.pop(0), score, state=state)
                return
            params = {
                name: _to_optuna(parameter, checked[name])
                for name, parameter in self.parameters.items()
            }
            trial = optuna.trial.create_trial(
                state=state,
                value=score,
                params=params,
                distributions=self._distributions,
            )
            self.study.add_trial(trial)
        self._added_since_ask = True

    def _build(self, seed: int) -> optuna.samplers.BaseSampler:
        """``make_optuna_sampler`` with the options, an unknown option named clearly."""
        try:
            return self.make_optuna_sampler(seed, **self.options)
        except (TypeError, ValueError) as exc:
            raise InvalidArgument(
                f"{type(self).__name__}'s options {self.options!r} do not suit its Optuna "
                f"sampler: {exc}."
            ) from exc


@contextmanager
def quiet_optuna(optuna: Any) -> Iterator[None]:
    """Silence Optuna's per-trial INFO lines (assay reports trials itself) for a block."""
    verbosity = optuna.logging.get_verbosity()
    optuna.logging.set_verbosity(max(verbosity, optuna.logging.WARNING))
    try:
        yield
    finally:
        optuna.logging.set_verbosity(verbosity)


def _distribution(optuna: Any, parameter: Parameter) -> optuna.distributions.BaseDistribution:
    """The Optuna distribution of a parameter; a category by the positions of its values."""
    log = parameter.scale == "log"
    if parameter.type == "float":
        return optuna.distributions.FloatDistribution(parameter.low, parameter.high, log=log)
    if parameter.type == "int":
        return optuna.distributions.IntDistribution(parameter.low, parameter.high, log=log)
    return optuna.distributions.CategoricalDistribution(tuple(range(len(parameter.values))))


def _from_optuna(parameter: Parameter, value: Any) -> Any:
    """A trial's value as the parameter's value (a category's position to its value)."""
    return parameter.values[value] if parameter.type == "category" else value


def _to_optuna(parameter: Parameter, value: Any) -> Any:
    """A checked value as the trial's value (a category's value to its position)."""
    return parameter.index(value) if parameter.type == "category" else value
