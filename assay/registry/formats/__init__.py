"""Model file formats by id: ``get_format("onnx").validate(path)``; see ``base``.

Importing this package registers assay's formats: ``pkl`` (a pickle; assay's carries the
fitted preprocessing), ``onnx`` and ``pmml`` (exported and checked against the model) and
``rda`` (R's saved data, uploaded). Their libraries are imported only when a format uses them.
"""

from assay.registry.formats.base import (
    ModelFormat,
    format_ids,
    format_registry,
    get_format,
    register_format,
)
from assay.registry.formats.onnx import OnnxFormat
from assay.registry.formats.pkl import PickleFormat
from assay.registry.formats.pmml import PmmlFormat
from assay.registry.formats.rda import RdaFormat

for _format in (PickleFormat(), OnnxFormat(), PmmlFormat(), RdaFormat()):
    register_format(_format)

__all__ = [
    "ModelFormat",
    "OnnxFormat",
    "PickleFormat",
    "PmmlFormat",
    "RdaFormat",
    "format_ids",
    "format_registry",
    "get_format",
    "register_format",
]
