"""What a model format is: how to check an uploaded file and, where assay can, how to make one.

A version of a registered model holds at most one file per format id (``pkl``, ``onnx``,
``pmml``, ``rda``, ...). Each id names a ``ModelFormat``: ``validate`` refuses a file that is
not what the id says, before anything is written; ``export`` writes the file from a trained
Predictor; ``load`` reads a downloaded file back into something that predicts. Formats are
looked up by id in one registry, so a plug-in adds a format with ``register_format`` or through
the ``assay.formats`` entry-point group of an installed package.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from assay.errors import InvalidArgument
from assay.plugins.registry import InstanceRegistry

if TYPE_CHECKING:
    from assay.orm.predictor import Predictor


class ModelFormat(ABC):
    """One kind of model file: its id, how to validate it, export it and load it."""

    #: The id users pass: ``version.add_format("onnx", ...)``.
    id: ClassVar[str]
    #: One line for listings and errors.
    description: ClassVar[str]
    #: The file name suffix downloads get, with its dot.
    suffix: ClassVar[str]

    @abstractmethod
    def validate(self, path: Path) -> None:
        """Refuse a file that is not of this format.

        Raises:
            InvalidArgument: Naming the format and what is wrong with the file.
        """

    def can_export(self, predictor: Predictor) -> bool:
        """Whether ``export`` can write this format for ``predictor``'s model library."""
        return False

    def export(self, predictor: Predictor, path: Path) -> None:
        """Write ``predictor``'s model in this format to ``path``.

        Raises:
            InvalidArgument: When this format cannot be made from the Predictor's model.
        """
        raise InvalidArgument(
            f"format {self.id!r} cannot be exported from a Predictor by assay; "
            f"upload a {self.id} file with version.add_format({self.id!r}, file)."
        )

    def load(self, path: Path) -> Any:
        """Read a file of this format back into a Python object that predicts.

        Raises:
            InvalidArgument: When this format cannot be loaded in Python.
        """
        raise InvalidArgument(
            f"format {self.id!r} cannot be loaded in Python by assay; "
            "download it with version.download(...) and read it with its own tools."
        )


#: The formats by id; installed packages add theirs in the ``assay.formats`` entry-point group
#: (a ModelFormat instance or subclass, named as its ``id``).
format_registry: InstanceRegistry[ModelFormat] = InstanceRegistry(
    ModelFormat, "format", key="id", group="assay.formats"
)
_FORMATS = format_registry  # the name earlier code and tests use


def register_format(model_format: ModelFormat) -> ModelFormat:
    """Make a format available by its id (a plug-in's way to add one); returns it."""
    return format_registry.put(model_format)


def get_format(format_id: str) -> ModelFormat:
    """The format registered under ``format_id``.

    Raises:
        InvalidArgument: An unknown id; the message lists the known ones.
    """
    if not isinstance(format_id, str) or format_id not in format_registry:
        known = ", ".join(format_registry.names()) or "none"
        raise InvalidArgument(f"format {format_id!r} is not a known model format; known: {known}.")
    return format_registry[format_id]


def format_ids() -> list[str]:
    """The ids of every registered format, sorted."""
    return format_registry.names()
