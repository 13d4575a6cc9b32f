"""The random sampler: independent draws from every parameter's range, reproducible by seed."""

from __future__ import annotations

import random
from collections import Counter
from typing import Any

from assay.search.samplers.base import Sampler, check_count, check_seed


class RandomSampler(Sampler):
    """Each parameter drawn uniformly from its range (log-uniformly on a log scale) or values.

    ``steps`` is the grid's and is ignored here. The same seed gives the same sequence. A
    scored point that this sampler did not sample (a resumed search's stored trial) counts as
    one draw: the sequence moves on by one, so that a search resumed with the same seed goes
    on where it stopped instead of proposing its first points again.
    """

    def __init__(
        self,
        goal: str,
        parameters: dict[str, dict[str, Any]],
        num_samples: int | None = None,
        seed: int | None = None,
    ) -> None:
        """Check the space and set up the draws.

        Args:
            goal: ``"minimize"`` or ``"maximize"``.
            parameters: 004's parameter specs.
            num_samples: Finished after this many draws; None: never by itself (the search's
                ``n_trials`` ends it).
            seed: Seeds the draws; None picks one, kept in ``self.seed``.

        Raises:
            InvalidArgument: A bad goal, spec, num_samples or seed.
        """
        super().__init__(goal, parameters)
        self.num_samples = check_count(num_samples, "num_samples")
        self.seed = check_seed(seed)
        self._rng = random.Random(self.seed)
        self.drawn = 0
        self._pending: Counter[tuple[str, ...]] = Counter()

    def sample(self) -> dict[str, Any]:
        """The next random point.

        Raises:
            IndexError: num_samples points were drawn already.
        """
        self.check_not_finished()
        point = self._draw()
        self._pending[self.key(point)] += 1
        return point

    def finished(self) -> bool:
        """Whether num_samples points were drawn (never, without num_samples)."""
        return self.num_samples is not None and self.drawn >= self.num_samples

    def update(self, sampled_parameters: dict[str, Any], metric_score: float | None) -> None:
        """Check the pair; a point not sampled here counts as a draw (see the class)."""
        checked, _ = self.check_result(sampled_parameters, metric_score)
        key = self.key(checked)
        if self._pending[key]:
            self._pending[key] -= 1
        else:
            self._draw()

    def _draw(self) -> dict[str, Any]:
        """One point from the sequence, counted."""
        self.drawn += 1
        return {name: parameter.draw(self._rng) for name, parameter in self.parameters.items()}
