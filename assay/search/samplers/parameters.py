"""The search space of a sampler: 004's parameter specs, checked once and turned into values.

A spec is ``{"name": {"type": "float"|"int"|"category", ...}}``: a float or int has ``low`` and
``high`` (``low < high``), an optional ``scale`` (``"linear"``, the default, or ``"log"``, which
needs ``low > 0``) and an optional ``steps`` (how many grid points; only the grid sampler reads
it, the others sample the whole range); a category has ``values``, a non-empty list of distinct
JSON-compatible values (a fixed value is a category of one).
"""

from __future__ import annotations

import json
import math
import random
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from assay.errors import InvalidArgument

TYPES = ("float", "int", "category")
SCALES = ("linear", "log")
_KEYS = {
    "float": {"type", "low", "high", "steps", "scale"},
    "int": {"type", "low", "high", "steps", "scale"},
    "category": {"type", "values"},
}


@dataclass(frozen=True)
class Parameter:
    """One hyperparameter to search: its name, type and range (or values)."""

    name: str
    type: Literal["float", "int", "category"]
    low: float | int | None = None
    high: float | int | None = None
    steps: int | None = None
    scale: Literal["linear", "log"] = "linear"
    values: tuple[Any, ...] = ()

    def grid(self) -> list[Any]:
        """The grid's values: ``steps`` points from low to high (spaced by ``scale``), or values.

        Int points are rounded; points that round to the same int appear once.

        Raises:
            InvalidArgument: A float or int without ``steps``.
        """
        if self.type == "category":
            return list(self.values)
        if self.steps is None:
            raise InvalidArgument(
                f"parameters[{self.name!r}] needs 'steps' (an int >= 2) for a grid search: "
                f"how many {self.type} values to try from {self.low} to {self.high}."
            )
        space = np.geomspace if self.scale == "log" else np.linspace
        points = space(self.low, self.high, self.steps)
        if self.type == "float":
            return [float(point) for point in points]
        return list(dict.fromkeys(round(float(point)) for point in points))

    def draw(self, rng: random.Random) -> Any:
        """One value at random: uniform over the range (over its logarithm for ``log``)."""
        if self.type == "category":
            return self.values[rng.randrange(len(self.values))]
        if self.type == "int" and self.scale == "linear":
            return rng.randint(int(self.low), int(self.high))
        low, high = float(self.low), float(self.high)
        if self.type == "int":  # every int owns the half-unit around it, as in Optuna
            low, high = low - 0.5, high + 0.5
        if self.scale == "log":
            point = math.exp(rng.uniform(math.log(low), math.log(high)))
        else:
            point = rng.uniform(low, high)
        if self.type == "int":
            return min(max(round(point), int(self.low)), int(self.high))
        return min(max(point, float(self.low)), float(self.high))

    def index(self, value: Any) -> int:
        """The position of a category value in ``values`` (compared as JSON).

        Raises:
            InvalidArgument: The value is not one of ``values``.
        """
        keys = [value_key(choice) for choice in self.values]
        key = value_key(value)
        if key not in keys:
            raise InvalidArgument(
                f"parameters[{self.name!r}] must be one of {list(self.values)!r}; got {value!r}."
            )
        return keys.index(key)

    def check(self, value: Any) -> Any:
        """``value`` as a plain Python value, if this parameter can take it.

        Raises:
            InvalidArgument: Outside the range, of the wrong type, or not one of the values.
        """
        value = plain(value)
        if self.type == "category":
            return self.values[self.index(value)]
        wanted = int if self.type == "int" else (int, float)
        if (
            isinstance(value, bool)
            or not isinstance(value, wanted)
            or not self.low <= value <= self.high
        ):
            article = "an" if self.type == "int" else "a"
            raise InvalidArgument(
                f"parameters[{self.name!r}] must be {article} {self.type} from {self.low} to "
                f"{self.high}; got {value!r}."
            )
        return value if self.type == "int" else float(value)


def plain(value: Any) -> Any:
    """A NumPy scalar as the Python value it holds; anything else unchanged."""
    return value.item() if isinstance(value, np.generic) else value


def value_key(value: Any) -> str:
    """A value as canonical JSON, so that equal values match whatever their container type."""
    return json.dumps(plain(value), sort_keys=True, default=repr)


def parse_parameters(parameters: Any) -> dict[str, Parameter]:
    """Check 004's parameter specs and return them as Parameters, in the order given.

    Raises:
        InvalidArgument: Not a non-empty dict of dicts, or a spec that names the parameter
            and says what is wrong with it.
    """
    if not isinstance(parameters, dict) or not parameters:
        raise InvalidArgument(
            "parameters must be a non-empty dict of {name: {'type': 'float'|'int'|'category', "
            f"...}}; got {parameters!r}."
        )
    return {name: parse_parameter(name, spec) for name, spec in parameters.items()}


def parse_parameter(name: Any, spec: Any) -> Parameter:
    """Check one parameter's spec (see the module's docstring) and return it as a Parameter.

    Raises:
        InvalidArgument: Naming the parameter and what is wrong with its spec.
    """
    if not isinstance(name, str) or not name:
        raise InvalidArgument(f"parameter names must be non-empty str; got {name!r}.")
    where = f"parameters[{name!r}]"
    if not isinstance(spec, dict):
        raise InvalidArgument(f"{where} must be a dict with a 'type'; got {spec!r}.")
    kind = spec.get("type")
    if kind not in TYPES:
        raise InvalidArgument(f"{where}['type'] must be one of {list(TYPES)}; got {kind!r}.")
    unknown = sorted(set(spec) - _KEYS[kind], key=str)
    if unknown:
        raise InvalidArgument(
            f"{where} has keys {unknown} that a {kind} parameter does not take; "
            f"it takes {sorted(_KEYS[kind])}."
        )
    if kind == "category":
        return Parameter(name, kind, values=_check_values(where, spec.get("values")))
    low, high = (_check_bound(where, kind, spec, key) for key in ("low", "high"))
    if not low < high:
        raise InvalidArgument(
            f"{where} needs low < high; got low={low!r}, high={high!r}. "
            "For a fixed value use {'type': 'category', 'values': [value]}."
        )
    scale = spec.get("scale", "linear")
    if scale not in SCALES:
        raise InvalidArgument(f"{where}['scale'] must be one of {list(SCALES)}; got {scale!r}.")
    if scale == "log" and low <= 0:
        raise InvalidArgument(f"{where} has scale 'log', which needs low > 0; got low={low!r}.")
    steps = spec.get("steps")
    if steps is not None and (isinstance(steps, bool) or not isinstance(steps, int) or steps < 2):
        raise InvalidArgument(f"{where}['steps'] must be an int >= 2; got {steps!r}.")
    return Parameter(name, kind, low=low, high=high, steps=steps, scale=scale)


def _check_bound(where: str, kind: str, spec: dict, key: str) -> float | int:
    """``spec[key]`` (low or high) as a finite number of the parameter's type."""
    value = plain(spec.get(key))
    wanted = int if kind == "int" else (int, float)
    if isinstance(value, bool) or not isinstance(value, wanted) or not math.isfinite(value):
        expected = "an int" if kind == "int" else "a finite number"
        raise InvalidArgument(f"{where}[{key!r}] must be {expected}; got {value!r}.")
    return value if kind == "int" else float(value)


def _check_values(where: str, values: Any) -> tuple[Any, ...]:
    """A category's values: a non-empty list of distinct JSON-compatible values."""
    if not isinstance(values, (list, tuple)) or not values:
        raise InvalidArgument(f"{where}['values'] must be a non-empty list; got {values!r}.")
    values = tuple(plain(value) for value in values)
    try:
        keys = [json.dumps(value, sort_keys=True, allow_nan=False) for value in values]
    except (TypeError, ValueError) as exc:
        raise InvalidArgument(
            f"{where}['values'] must be JSON-compatible (numbers, str, bool, None, lists, "
            f"dicts), so that a search can be stored and resumed: {exc}."
        ) from exc
    if len(set(keys)) < len(keys):
        raise InvalidArgument(f"{where}['values'] must be distinct; got {list(values)!r}.")
    return values
