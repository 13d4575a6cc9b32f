"""The optimiser a builder hands out, from ``opt_args`` such as ``{"opt": "adam", "lr": 1e-3}``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import torch

from assay.errors import InvalidArgument
from assay.nn.models.signatures import callable_name, keywords

DEFAULT_LR = 1e-3

OPTIMISERS: dict[str, type[torch.optim.Optimizer]] = {
    "adam": torch.optim.Adam,
    "adamw": torch.optim.AdamW,
    "sgd": torch.optim.SGD,
    "rmsprop": torch.optim.RMSprop,
    "adagrad": torch.optim.Adagrad,
    "adamax": torch.optim.Adamax,
    "nadam": torch.optim.NAdam,
    "radam": torch.optim.RAdam,
}


def check_opt_args(opt_args: Mapping[str, Any] | None) -> dict[str, Any]:
    """``opt_args`` with ``"opt"`` resolved to a class and ``"lr"`` filled in, checked.

    ``"opt"`` is a name in OPTIMISERS (default ``"adam"``) or an optimiser class (or
    ``functools.partial`` of one); the other keys are the optimiser's keyword arguments and
    must be ones it accepts.

    Raises:
        InvalidArgument: For an unknown optimiser name or an argument it does not accept.
    """
    if opt_args is None:
        opt_args = {}
    if not isinstance(opt_args, Mapping):
        raise InvalidArgument(f"opt_args must be a dict; got {type(opt_args).__name__}.")
    args = dict(opt_args)
    opt = args.pop("opt", "adam")
    if isinstance(opt, str):
        if opt.lower() not in OPTIMISERS:
            known = ", ".join(repr(name) for name in OPTIMISERS)
            raise InvalidArgument(
                f"opt_args['opt'] must be one of {known} or an optimiser class; got {opt!r}."
            )
        opt = OPTIMISERS[opt.lower()]
    elif not callable(opt):
        raise InvalidArgument(f"opt_args['opt'] must be a name or an optimiser class; got {opt!r}.")
    accepted, open_ended = keywords(opt)
    unknown = sorted(set(args) - accepted) if not open_ended else []
    if unknown:
        raise InvalidArgument(
            f"opt_args has arguments {unknown} that {callable_name(opt)} does not take; it takes "
            f"{sorted(accepted - {'params'})}."
        )
    if "lr" in accepted or open_ended:
        args.setdefault("lr", DEFAULT_LR)
    return {"opt": opt, **args}


def build_optimiser(parameters: Any, opt_args: Mapping[str, Any]) -> torch.optim.Optimizer:
    """The optimiser of checked ``opt_args`` over ``parameters``."""
    args = dict(opt_args)
    return args.pop("opt")(parameters, **args)
