"""What ``assay serve`` serves: a model that predicts raw rows, and where it came from.

``resolve("42")`` is Predictor 42; ``resolve("churn")`` the latest version of the registered
model ``churn`` and ``resolve("churn@3")`` its version 3 (in the registry ``context``), read
from the version's ``pkl`` file. Either way the model is a ``PortableModel``: the trained
model with its fitted preprocessing, loaded once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from assay.errors import InvalidArgument

if TYPE_CHECKING:
    from assay.registry.formats.portable import PortableModel

_REFERENCE = re.compile(r"^(?P<name>[^@]+?)(?:@(?P<version>\d+))?$")


@dataclass
class ServedModel:
    """A model ready to predict rows, and how to name it.

    Attributes:
        reference: What the user asked for (``"42"``, ``"churn@3"``).
        portable: The model and its fitted preprocessing.
        source: ``"Predictor 42"`` or ``"model 'churn' version 3"``.
    """

    reference: str
    portable: PortableModel
    source: str


def resolve(reference: str, context: str = "default") -> ServedModel:
    """The model ``MODEL[@VERSION]`` names (see the module).

    Args:
        reference: A Predictor id, or a registered model's name with an optional
            ``@version`` number.
        context: The registry context a name is looked up in.

    Raises:
        InvalidArgument: A malformed reference, a version without an assay ``pkl`` file,
            or a model with Features that are not tables.
        NotFound: No such Predictor, model or version.
    """
    from assay.registry.formats.portable import PortableModel

    if not isinstance(reference, str) or not _REFERENCE.match(reference.strip()):
        raise InvalidArgument(
            f"MODEL must be a Predictor id or a registered model's name, optionally with "
            f"@VERSION (e.g. 42, churn, churn@3); got {reference!r}."
        )
    found = _REFERENCE.match(reference.strip())
    name, version = found["name"], found["version"]
    if name.isdigit() and version is None:
        served = ServedModel(
            reference, PortableModel.of_predictor(int(name)), f"Predictor {int(name)}"
        )
    else:
        served = _registered(reference, name, None if version is None else int(version), context)
    _check_tables(served)
    return served


def _registered(reference: str, name: str, number: int | None, context: str) -> ServedModel:
    """A registered model's version (the latest without a number), from its ``pkl`` file."""
    from assay.registry.formats.portable import PortableModel
    from assay.registry.registry import Registry

    model = Registry(context).model(name)
    version = model.latest() if number is None else model.version(number)
    if "pkl" not in {one.format_id for one in version.formats}:
        raise InvalidArgument(
            f"model {name!r} version {version.version} has no pkl file, which serving reads; "
            "register it from a Predictor (predictor.register(name)) or add one."
        )
    portable = version.load("pkl")
    if not isinstance(portable, PortableModel):
        raise InvalidArgument(
            f"model {name!r} version {version.version}'s pkl file holds a "
            f"{type(portable).__name__}, not a model assay exported; serving needs the pkl "
            "that predictor.register writes."
        )
    return ServedModel(reference, portable, f"model {name!r} version {version.version}")


def _check_tables(served: ServedModel) -> None:
    """Refuse a model whose Features one JSON row cannot hold.

    Sequences and images are not rows; and two Features with a column of the same name
    would make a row ambiguous.
    """
    seen: dict[str, int] = {}
    for feature in served.portable.features:
        for column in feature.trained.columns:
            if column in seen:
                raise InvalidArgument(
                    f"{served.source}: Features {seen[column]} and {feature.trained.id} both "
                    f"have a column {column!r}, so a JSON row cannot say whose it is; serving "
                    "takes models whose Features' columns have distinct names."
                )
            seen[column] = feature.trained.id
        if feature.trained.kind != "tabular" or feature.trained.window is not None:
            what = (
                "windows of a series"
                if feature.trained.window is not None
                else f"{feature.trained.kind}s"
            )
            raise InvalidArgument(
                f"{served.source}: Feature {feature.trained.id} takes {what}; serving takes "
                "models of tabular Features without Windows, one JSON row per sample."
            )
