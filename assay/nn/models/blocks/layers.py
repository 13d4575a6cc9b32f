"""One fully connected layer as the blocks use it: dense, activation, batch norm, dropout."""

from __future__ import annotations

from collections.abc import Callable

from torch import nn

from assay.errors import InvalidArgument
from assay.nn.models.initialisations import LookupInit


def check_rate(name: str, value: float) -> float:
    """A dropout rate in [0, 1), or an error naming the argument."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < 1:
        raise InvalidArgument(f"{name} must be a dropout rate in [0, 1); got {value!r}.")
    return float(value)


def check_positive(name: str, value: int) -> int:
    """A positive integer, or an error naming the argument."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidArgument(f"{name} must be a positive integer; got {value!r}.")
    return value


def dense_layer(
    fan_in: int,
    fan_out: int,
    act: str,
    lookup_init: LookupInit,
    lookup_act: Callable[[str], nn.Module],
    bn: bool = False,
    do: float = 0.0,
) -> nn.Sequential:
    """``Linear -> activation -> BatchNorm -> Dropout``, weights initialised to suit ``act``.

    Args:
        fan_in: Inputs of the layer.
        fan_out: Outputs of the layer.
        act: Activation name (``"linear"`` adds none).
        lookup_init: ``(act, fan_in, fan_out) -> init`` for the weights; biases start at 0.
        lookup_act: ``name -> activation layer``.
        bn: Add batch normalisation after the activation.
        do: Dropout rate; SELU gets alpha dropout, which keeps its self-normalisation.
    """
    linear = nn.Linear(fan_in, fan_out)
    lookup_init(act, fan_in, fan_out)(linear.weight)
    nn.init.zeros_(linear.bias)
    layers: list[nn.Module] = [linear]
    if act not in ("linear", "identity"):
        layers.append(lookup_act(act))
    if bn:
        layers.append(nn.BatchNorm1d(fan_out))
    if do > 0:
        layers.append(nn.AlphaDropout(do) if act == "selu" else nn.Dropout(do))
    return nn.Sequential(*layers)
