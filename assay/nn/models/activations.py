"""Activation layers by name, so that blocks are configured with strings (``act="swish"``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from assay.errors import InvalidArgument

if TYPE_CHECKING:
    from torch import nn


def _factories() -> dict[str, Callable[[], nn.Module]]:
    from torch import nn

    return {
        "relu": nn.ReLU,
        "prelu": nn.PReLU,
        "leakyrelu": nn.LeakyReLU,
        "elu": nn.ELU,
        "selu": nn.SELU,
        "gelu": nn.GELU,
        "swish": nn.SiLU,
        "silu": nn.SiLU,
        "mish": nn.Mish,
        "tanh": nn.Tanh,
        "sigmoid": nn.Sigmoid,
        "softplus": nn.Softplus,
        "linear": nn.Identity,
        "identity": nn.Identity,
    }


ACTIVATIONS = (
    "relu",
    "prelu",
    "leakyrelu",
    "elu",
    "selu",
    "gelu",
    "swish",
    "silu",
    "mish",
    "tanh",
    "sigmoid",
    "softplus",
    "linear",
    "identity",
)


def check_act(act: str) -> str:
    """The lower-case activation name, or an error listing the names known.

    Raises:
        InvalidArgument: When ``act`` is not a known activation name.
    """
    name = act.lower() if isinstance(act, str) else None
    if name not in ACTIVATIONS:
        raise InvalidArgument(f"act must be one of {', '.join(ACTIVATIONS)}; got {act!r}.")
    return name


def lookup_act(act: str) -> nn.Module:
    """A fresh activation layer for the name ``act`` (e.g. ``"relu"``, ``"swish"``, ``"linear"``).

    Raises:
        InvalidArgument: When ``act`` is not a known activation name.
    """
    return _factories()[check_act(act)]()
