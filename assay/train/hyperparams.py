"""Hyperparameter combinations: the full grid, or a random sample of it."""

from __future__ import annotations

import itertools
import json
import math
import random
from typing import Any

from assay.errors import InvalidArgument


def expand_grid(
    hyperparameters: dict[str, list] | None,
    *,
    search_count: int | None = None,
    search_percent: float | None = None,
    random_state: int | None = None,
) -> list[dict[str, Any]]:
    """Every combination of the values (in a stable order), or a random subset of them.

    Args:
        hyperparameters: ``{name: [values]}``; None or ``{}`` gives one empty combination.
        search_count: Draw this many combinations (all of them if there are fewer).
        search_percent: Draw this fraction of them (at least one); not with search_count.
        random_state: Seed for the draw.

    Raises:
        InvalidArgument: Values that are not non-empty lists, are not JSON-compatible (NaN
            and infinity included), or bad search settings.
    """
    if search_count is not None and search_percent is not None:
        raise InvalidArgument("search_count and search_percent cannot be used together; pass one.")
    if search_count is not None and (
        isinstance(search_count, bool) or not isinstance(search_count, int) or search_count < 1
    ):
        raise InvalidArgument(f"search_count must be an int >= 1; got {search_count!r}.")
    if search_percent is not None and (
        isinstance(search_percent, bool)
        or not isinstance(search_percent, (int, float))
        or not 0 < search_percent <= 1
    ):
        raise InvalidArgument(f"search_percent must be in (0, 1]; got {search_percent!r}.")
    if hyperparameters is None or hyperparameters == {}:
        return [{}]
    if not isinstance(hyperparameters, dict):
        raise InvalidArgument(
            f"hyperparameters must be a dict of lists; got {type(hyperparameters).__name__}."
        )
    for key, values in hyperparameters.items():
        if not isinstance(key, str):
            raise InvalidArgument(f"hyperparameters keys must be str; got {key!r}.")
        if not isinstance(values, list) or not values:
            raise InvalidArgument(
                f"hyperparameters[{key!r}] must be a non-empty list of values; got {values!r}. "
                f"Wrap a single value in a list: [{values!r}]."
            )
        check_finite(key, values)
        try:
            json.dumps(values, allow_nan=False)
        except (TypeError, ValueError) as exc:
            raise InvalidArgument(
                f"hyperparameters[{key!r}] must hold JSON-compatible values (numbers, str, "
                f"bool, None, lists, dicts): {exc}."
            ) from exc
    keys = list(hyperparameters)
    grid = [
        dict(zip(keys, combo, strict=True))
        for combo in itertools.product(*hyperparameters.values())
    ]
    count = None
    if search_count is not None:
        count = min(search_count, len(grid))
    elif search_percent is not None:
        count = max(1, math.floor(len(grid) * search_percent))
    if count is None or count >= len(grid):
        return grid
    chosen = sorted(random.Random(random_state).sample(range(len(grid)), count))
    return [grid[at] for at in chosen]


def check_finite(key: str, values: Any) -> None:
    """Refuse NaN and infinity anywhere in one hyperparameter's values.

    JSON has no such numbers: stored, they would make the metastore's JSON invalid.
    """
    for value in leaves(values):
        if isinstance(value, float) and not math.isfinite(value):
            raise InvalidArgument(
                f"hyperparameters[{key!r}] holds {value!r}; NaN and infinity cannot be stored. "
                "Use finite numbers, or None for 'no value'."
            )


def leaves(value: Any) -> list[Any]:
    """The scalars inside nested lists, tuples and dicts (dict values only)."""
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, (list, tuple)):
        return [leaf for item in value for leaf in leaves(item)]
    return [value]
