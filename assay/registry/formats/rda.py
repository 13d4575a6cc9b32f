"""The ``rda`` format: what R's ``save()`` writes (``.rda``, ``.RData``); uploaded, not made.

assay neither makes nor loads R data; a version holds the file for R deployments, which
``load()`` it. Validation reads the file as R would, streamed: it is decompressed when it
is gzip, bzip2 or xz (``save()``'s ``compress`` options; a truncated or corrupt stream is
refused), must start with the magic of ``save()`` (``RDX2``/``RDX3``; ``RDA``/``RDB`` for
its ascii and native variants) and the serialization header that follows (version 2 or 3,
the R versions that wrote it and can read it), and its first object must be the pairlist
of saved objects. A ``saveRDS()`` file, one object without the magic, is refused with a
way out.
"""

from __future__ import annotations

import bz2
import gzip
import lzma
import struct
import zlib
from pathlib import Path
from typing import IO, ClassVar

from assay.errors import InvalidArgument
from assay.registry.formats.base import ModelFormat
from assay.registry.formats.files import existing_file

#: Compressed streams by their first bytes, and how to open each.
COMPRESSIONS = (
    (b"\x1f\x8b", "gzip", gzip.open),
    (b"BZh", "bzip2", bz2.open),
    (b"\xfd7zXZ\x00", "xz", lzma.open),
)
#: ``save()``'s magic: ``RD`` + serialization format (X: XDR, A: ascii, B: native) + version.
MAGICS = {f"RD{kind}{version}\n".encode(): (kind, version) for kind in "XAB" for version in (2, 3)}
#: The first object of a ``save()`` file: a pairlist (LISTSXP), or nothing saved (NILVALUE).
SAVED_OBJECT_TYPES = {2: "a pairlist", 254: "no objects"}
_CHUNK = 1 << 20


class _NotRData(Exception):
    """What makes a file not R's saved data."""


def _open(path: Path) -> tuple[IO[bytes], str | None]:
    """The file's bytes as R reads them, decompressed, and the compression's name."""
    with open(path, "rb") as handle:
        head = handle.read(8)
    for magic, name, opener in COMPRESSIONS:
        if head.startswith(magic):
            return opener(path, "rb"), name
    return open(path, "rb"), None


def _exactly(stream: IO[bytes], count: int, what: str) -> bytes:
    data = stream.read(count)
    if len(data) != count:
        raise _NotRData(f"it ends inside {what}")
    return data


def _integer(stream: IO[bytes], kind: str, what: str) -> int:
    """One integer of the serialization header, in the file's format."""
    if kind == "A":
        line = stream.readline(32)
        try:
            return int(line.strip())
        except ValueError:
            raise _NotRData(f"its {what} is {line[:20]!r}, not an integer") from None
    return struct.unpack(">i" if kind == "X" else "<i", _exactly(stream, 4, what))[0]


def check_rdata(path: Path) -> str:
    """Read a ``save()`` file's magic and serialization header, and its whole stream.

    Returns:
        A description, e.g. ``"R data (RDX3, gzip)"``.

    Raises:
        _NotRData: Naming what is wrong.
    """
    stream, compression = _open(path)
    with stream:
        try:
            magic = stream.read(5)
            if magic not in MAGICS:
                if magic[:2] in (b"X\n", b"A\n", b"B\n"):
                    raise _NotRData(
                        "it is one serialized R object (what saveRDS() writes), not save()'s R "
                        "data; in R, save(model, file = 'model.rda') writes an rda file"
                    )
                raise _NotRData(
                    f"it does not start with R data's magic (RDX2 or RDX3); got {magic!r}"
                )
            kind, version = MAGICS[magic]
            if _exactly(stream, 2, "the format line") != f"{kind}\n".encode():
                raise _NotRData(f"its format line does not match its magic {magic[:4]!r}")
            written = _integer(stream, kind, "serialization version")
            if written != version:
                raise _NotRData(f"its magic says version {version} but its header says {written}")
            _integer(stream, kind, "writer's R version")
            _integer(stream, kind, "reader's R version")
            if version == 3:
                length = _integer(stream, kind, "native encoding's length")
                if not 0 < length < 64:
                    raise _NotRData(f"its native encoding's length is {length}")
                _exactly(stream, length + (kind == "A"), "the native encoding")
            flags = _integer(stream, kind, "first object's type")
            if flags & 0xFF not in SAVED_OBJECT_TYPES:
                raise _NotRData(
                    f"its first object is of R type {flags & 0xFF}, not the pairlist of saved "
                    "objects that save() writes"
                )
            while stream.read(_CHUNK):  # the rest must decompress whole
                pass
        except (OSError, EOFError, lzma.LZMAError, zlib.error) as exc:
            raise _NotRData(f"its {compression} stream is corrupt or cut short: {exc}") from None
    return f"R data ({magic[:4].decode()}, {compression or 'uncompressed'})"


class RdaFormat(ModelFormat):
    """R's saved data: uploaded for R deployments, validated as R reads it."""

    id: ClassVar[str] = "rda"
    description: ClassVar[str] = "R data written by save() (.rda, .RData); uploaded, for R"
    suffix: ClassVar[str] = ".rda"

    def validate(self, path: Path) -> None:
        """Refuse a file that is not R's ``save()`` data, whatever its name (see module).

        Raises:
            InvalidArgument: Naming what is wrong.
        """
        path = existing_file(path, self.id)
        try:
            check_rdata(path)
        except _NotRData as exc:
            raise InvalidArgument(f"format 'rda': {path.name!r} is not R data: {exc}.") from None
