"""The grid sampler: every combination of every parameter's grid values, once each."""

from __future__ import annotations

import itertools
from typing import Any

from assay.search.samplers.base import Sampler


class GridSampler(Sampler):
    """Every point of the product of the parameters' grids, in order (the last varies fastest).

    A float or int parameter needs ``steps``: that many points from low to high, evenly spaced
    on its ``scale`` (ints rounded, repeats dropped); a category tries each of its values.
    The grid ignores scores; it is finished once every point was sampled. Points given to
    ``update`` before they were sampled (a resumed search's stored trials) are skipped.
    """

    def __init__(self, goal: str, parameters: dict[str, dict[str, Any]]) -> None:
        """Build the grid.

        Raises:
            InvalidArgument: A bad goal or spec, or a float or int parameter without steps.
        """
        super().__init__(goal, parameters)
        names = list(self.parameters)
        grids = [parameter.grid() for parameter in self.parameters.values()]
        self.points: list[dict[str, Any]] = [
            dict(zip(names, values, strict=True)) for values in itertools.product(*grids)
        ]
        self._next = 0
        self._done: set[tuple[str, ...]] = set()

    def __len__(self) -> int:
        """How many points the grid has."""
        return len(self.points)

    def sample(self) -> dict[str, Any]:
        """The next grid point not sampled or scored yet.

        Raises:
            IndexError: Every point was sampled or scored.
        """
        self._skip_done()
        self.check_not_finished()
        point = self.points[self._next]
        self._next += 1
        return dict(point)

    def finished(self) -> bool:
        """Whether every grid point was sampled (or scored through ``update``)."""
        self._skip_done()
        return self._next >= len(self.points)

    def update(self, sampled_parameters: dict[str, Any], metric_score: float | None) -> None:
        """Check the pair and remember the point as done, so that it is not sampled again."""
        checked, _ = self.check_result(sampled_parameters, metric_score)
        self._done.add(self.key(checked))

    def _skip_done(self) -> None:
        """Move past the points already scored."""
        while self._next < len(self.points) and self.key(self.points[self._next]) in self._done:
            self._next += 1
