"""Weight initialisation chosen from the activation that follows a layer, selected by name.

A *lookup* is a function ``(act, fan_in, fan_out) -> init`` where ``init(weight)`` fills a
weight tensor in place. Blocks take a lookup (or its name) as ``lookup_init``:

- ``"normal"`` (the default) and ``"uniform"``: what suits the activation: He (Kaiming) for
  the ReLU family, LeCun for SELU (what keeps it self-normalising), Glorot (Xavier) for
  sigmoid, tanh, softmax and linear outputs; from a normal or a uniform distribution.
- ``"kaiming"`` and ``"xavier"``: that scheme (normal distribution) for every layer, with the
  gain of the activation that follows.
- ``"orthogonal"``: orthogonal matrices scaled by the activation's gain.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

from assay.errors import InvalidArgument

if TYPE_CHECKING:
    from torch import Tensor

Init = Callable[["Tensor"], Any]
LookupInit = Callable[[str, int | None, int | None], Init]

RELU_FAMILY = {"relu", "prelu", "leakyrelu", "elu", "gelu", "swish", "silu", "mish", "softplus"}
GLOROT_FAMILY = {"sigmoid", "tanh", "softmax", "logsoftmax", "linear", "identity"}


def _gain(act: str) -> float:
    from torch import nn

    if act in RELU_FAMILY:
        return nn.init.calculate_gain("relu")
    if act == "tanh":
        return nn.init.calculate_gain("tanh")
    if act == "selu":
        return nn.init.calculate_gain("selu")
    return 1.0


def _check(act: str) -> str:
    name = act.lower()
    if name not in RELU_FAMILY | GLOROT_FAMILY | {"selu"}:
        known = ", ".join(sorted(RELU_FAMILY | GLOROT_FAMILY | {"selu"}))
        raise InvalidArgument(
            f"act must be one of {known} to choose an initialisation; got {act!r}."
        )
    return name


def _lecun(weight: Tensor, uniform: bool) -> None:
    from torch import nn

    fan_in = weight.shape[1] * (weight[0][0].numel() if weight.dim() > 2 else 1)
    std = 1 / math.sqrt(fan_in)
    if uniform:
        nn.init.uniform_(weight, -math.sqrt(3) * std, math.sqrt(3) * std)
    else:
        nn.init.normal_(weight, 0.0, std)


def lookup_normal_init(act: str, fan_in: int | None = None, fan_out: int | None = None) -> Init:
    """He, LeCun or Glorot initialisation from a normal distribution, as suits ``act``."""
    from torch import nn

    name = _check(act)
    if name in RELU_FAMILY:
        return partial(nn.init.kaiming_normal_, nonlinearity="relu")
    if name == "selu":
        return partial(_lecun, uniform=False)
    return nn.init.xavier_normal_


def lookup_uniform_init(act: str, fan_in: int | None = None, fan_out: int | None = None) -> Init:
    """He, LeCun or Glorot initialisation from a uniform distribution, as suits ``act``."""
    from torch import nn

    name = _check(act)
    if name in RELU_FAMILY:
        return partial(nn.init.kaiming_uniform_, nonlinearity="relu")
    if name == "selu":
        return partial(_lecun, uniform=True)
    return nn.init.xavier_uniform_


def lookup_kaiming_init(act: str, fan_in: int | None = None, fan_out: int | None = None) -> Init:
    """Kaiming (He) normal initialisation for every layer, with the activation's gain."""
    from torch import nn

    gain = _gain(_check(act))
    return partial(nn.init.kaiming_normal_, a=math.sqrt(max(2 / gain**2 - 1, 0.0)))


def lookup_xavier_init(act: str, fan_in: int | None = None, fan_out: int | None = None) -> Init:
    """Glorot (Xavier) normal initialisation for every layer, with the activation's gain."""
    from torch import nn

    return partial(nn.init.xavier_normal_, gain=_gain(_check(act)))


def lookup_orthogonal_init(act: str, fan_in: int | None = None, fan_out: int | None = None) -> Init:
    """Orthogonal initialisation for every layer, scaled by the activation's gain."""
    from torch import nn

    return partial(nn.init.orthogonal_, gain=_gain(_check(act)))


LOOKUP_INITS: dict[str, LookupInit] = {
    "normal": lookup_normal_init,
    "uniform": lookup_uniform_init,
    "kaiming": lookup_kaiming_init,
    "xavier": lookup_xavier_init,
    "orthogonal": lookup_orthogonal_init,
}


def resolve_lookup_init(lookup_init: str | LookupInit) -> LookupInit:
    """The lookup for a name in LOOKUP_INITS, or ``lookup_init`` itself when it is callable.

    Raises:
        InvalidArgument: For an unknown name or a value that is neither a name nor callable.
    """
    if callable(lookup_init):
        return lookup_init
    if isinstance(lookup_init, str) and lookup_init.lower() in LOOKUP_INITS:
        return LOOKUP_INITS[lookup_init.lower()]
    known = ", ".join(repr(name) for name in LOOKUP_INITS)
    raise InvalidArgument(
        f"lookup_init must be one of {known} or a function (act, fan_in, fan_out) -> init; "
        f"got {lookup_init!r}."
    )
