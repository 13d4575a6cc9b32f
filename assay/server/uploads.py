"""Uploaded files as the registry takes them: a size limit, and a name that is only a name.

A client names its file; that name is kept with the version's format and shown on download,
so it must not carry a path (``../``, ``/etc/...``, a Windows path), NUL or other control
characters. ``safe_filename`` keeps the last part of the name without them, or none.
"""

from __future__ import annotations

import re
from typing import BinaryIO

from fastapi import HTTPException, UploadFile

#: Characters a stored file name never holds: controls (NUL included) and path separators.
UNSAFE = re.compile(r"[\x00-\x1f\x7f]")
#: The longest file name kept (the column holds 255).
NAME_LENGTH = 255


def safe_filename(name: str | None) -> str | None:
    """The base name of a client's file name, without controls; None if nothing is left."""
    if not name:
        return None
    base = re.split(r"[\\/]", UNSAFE.sub("", name))[-1].strip()
    if base in ("", ".", ".."):
        return None
    return base[-NAME_LENGTH:]


class NamedUpload:
    """An uploaded file object that the registry reads in chunks, under a safe name."""

    def __init__(self, file: BinaryIO, name: str | None) -> None:
        self.file = file
        self.name = name

    def read(self, size: int = -1) -> bytes:
        """The next ``size`` bytes."""
        return self.file.read(size)


def checked_upload(file: UploadFile, max_bytes: int) -> NamedUpload:
    """The upload, refused with 413 when its file is larger than ``max_bytes``."""
    size = file.size
    if size is None:  # not counted while parsing: measure the spooled file
        file.file.seek(0, 2)
        size = file.file.tell()
        file.file.seek(0)
    if size > max_bytes:
        raise HTTPException(
            status_code=413,
            detail=f"the file has {size:,} bytes, more than this server takes ({max_bytes:,}); "
            "ASSAY_MAX_UPLOAD_MB sets the limit.",
        )
    return NamedUpload(file.file, safe_filename(file.filename))
