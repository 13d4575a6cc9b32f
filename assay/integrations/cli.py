"""``--integration NAME`` and ``--integration-option NAME.KEY=VALUE`` for assay's commands.

A command declares the two options with ``Names`` and ``Options`` and runs its work inside
``switched_on(names, options)``: the integrations are built (bad names or options are
refused before anything runs) and active for the block.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import typer

from assay.errors import InvalidArgument
from assay.integrations.active import Integrations, load_integrations

Names = Annotated[
    list[str] | None,
    typer.Option(
        "--integration",
        metavar="NAME",
        help="Report to this integration (repeatable): mlflow, tensorboard, or a plug-in's.",
    ),
]
Options = Annotated[
    list[str] | None,
    typer.Option(
        "--integration-option",
        metavar="NAME.KEY=VALUE",
        help="An integration's option (repeatable), e.g. mlflow.tracking_uri=sqlite:///m.db; "
        "VALUE is read as JSON where it parses, else as text.",
    ),
]


def parse_options(given: list[str] | None) -> dict[str, dict[str, Any]]:
    """``["mlflow.tracking_uri=x"]`` as ``{"mlflow": {"tracking_uri": "x"}}``.

    Raises:
        InvalidArgument: An option not written ``NAME.KEY=VALUE``.
    """
    options: dict[str, dict[str, Any]] = {}
    for text in given or []:
        target, equals, raw = text.partition("=")
        name, dot, key = target.partition(".")
        if not (equals and dot and name and key):
            raise InvalidArgument(
                f"--integration-option must be NAME.KEY=VALUE (e.g. "
                f"mlflow.tracking_uri=sqlite:///mlflow.db); got {text!r}."
            )
        try:
            value = json.loads(raw)
        except ValueError:
            value = raw
        options.setdefault(name, {})[key] = value
    return options


@contextmanager
def switched_on(names: list[str] | None, options: list[str] | None) -> Iterator[Integrations]:
    """The integrations a command was given, active for the block (none: an empty set).

    Raises:
        InvalidArgument: Unknown names (listing the known ones) or bad options, before the
            block runs.
    """
    parsed = parse_options(options)
    if not names:
        if parsed:
            raise InvalidArgument(
                f"--integration-option is given for {sorted(parsed)} but no --integration."
            )
        yield Integrations([], [])
        return
    with load_integrations(list(names), parsed).active() as integrations:
        yield integrations
