"""Small file helpers the formats share: write a file whole or not at all, and name it in errors."""

from __future__ import annotations

from pathlib import Path

from assay.data.files import written_whole
from assay.errors import InvalidArgument

__all__ = ["existing_file", "written_whole"]


def existing_file(path: Path, format_id: str) -> Path:
    """``path`` as a Path, checked to be a non-empty regular file.

    Raises:
        InvalidArgument: There is no file at ``path``, or it is a folder, or empty.
    """
    path = Path(path)
    if not path.exists():
        raise InvalidArgument(f"format {format_id!r}: there is no file at {str(path)!r}.")
    if not path.is_file():
        raise InvalidArgument(f"format {format_id!r}: {str(path)!r} is not a file.")
    if path.stat().st_size == 0:
        raise InvalidArgument(f"format {format_id!r}: {path.name!r} is empty (0 bytes).")
    return path
