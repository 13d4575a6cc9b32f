"""Model file formats by id: ``get_format("onnx").validate(path)``; see ``base``."""

from assay.registry.formats.base import ModelFormat, format_ids, get_format, register_format

__all__ = ["ModelFormat", "format_ids", "get_format", "register_format"]
