"""The ``pkl`` format: a Python pickle. assay's own holds a ``PortableModel``.

Exported from a Predictor, the file is a ``PortableModel`` (``portable.py``): the model with
its fitted preprocessing, so that ``load(path).predict(df)`` takes raw rows anywhere assay
is installed, with no metastore. Any other pickle a user uploads is accepted as it is.

Validation never unpickles: unpickling runs whatever code the file names. It walks the
opcode stream instead, with ``pickletools``' table of opcodes, reading the file once in
order and skipping over long byte strings rather than reading them into memory (which
``pickletools.genops`` would do): every opcode must be known, every argument whole, and
the file must end at the pickle's STOP. ``load`` does unpickle, and so runs the file's
code: load only files from people you trust.
"""

from __future__ import annotations

import codecs
import os
import pickle
import pickletools
import struct
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, ClassVar

from assay.errors import InvalidArgument
from assay.registry.formats.base import ModelFormat
from assay.registry.formats.files import existing_file, written_whole

if TYPE_CHECKING:
    from assay.orm.predictor import Predictor

#: Length-prefixed arguments: the prefix's struct format, by ``ArgumentDescriptor.n``.
_LENGTH_PREFIXES = {
    pickletools.TAKEN_FROM_ARGUMENT1: "<B",
    pickletools.TAKEN_FROM_ARGUMENT4: "<i",
    pickletools.TAKEN_FROM_ARGUMENT4U: "<I",
    pickletools.TAKEN_FROM_ARGUMENT8U: "<Q",
}
#: Bytes read at a time when a long text argument is checked to be UTF-8.
_CHUNK = 1 << 20
#: The first bytes of files that are often taken for pickles, and what they are.
_LOOKALIKES = {
    b"PK\x03\x04": "a zip archive (torch.save and .keras files are zip archives)",
    b"\x93NUMPY": "a NumPy .npy file",
    b"\x1f\x8b": "a gzip file (joblib.dump with compress writes one)",
}


class _NotAPickle(Exception):
    """Where the opcode stream went wrong: a byte offset and what was found there."""

    def __init__(self, position: int, problem: str) -> None:
        super().__init__(f"at byte {position}, {problem}")


def check_pickle_stream(handle: IO[bytes], size: int) -> int:
    """Walk one pickle's opcodes from ``handle`` to its STOP without running any of them.

    Args:
        handle: A binary file positioned at the pickle's first byte; it must be seekable.
        size: The file's size in bytes.

    Returns:
        The number of opcodes.

    Raises:
        _NotAPickle: An unknown opcode, an argument that is cut short or malformed, no STOP
            before the end, or bytes after the STOP.
    """
    count = 0
    while True:
        position = handle.tell()
        code = handle.read(1)
        if not code:
            raise _NotAPickle(position, "the file ends before the pickle's STOP opcode")
        opcode = pickletools.code2op.get(code.decode("latin-1"))
        if opcode is None:
            raise _NotAPickle(position, f"{code!r} is not a pickle opcode")
        count += 1
        if opcode.arg is not None:
            _skip_argument(handle, opcode, position, size)
        if opcode.name == "STOP":
            break
    if handle.tell() != size:
        raise _NotAPickle(handle.tell(), f"{size - handle.tell()} byte(s) follow the STOP opcode")
    return count


def _skip_argument(handle: IO[bytes], opcode: Any, position: int, size: int) -> None:
    """Read past one opcode's argument, checking it; long payloads are skipped, not read."""
    argument = opcode.arg
    prefix = _LENGTH_PREFIXES.get(argument.n)
    if prefix is None:  # fixed width, or up to a newline: small, and the reader checks it
        try:
            argument.reader(handle)
        except ValueError as exc:
            raise _NotAPickle(position, f"{opcode.name}'s argument is malformed: {exc}") from None
        return
    width = struct.calcsize(prefix)
    raw = handle.read(width)
    if len(raw) != width:
        raise _NotAPickle(position, f"the file ends inside {opcode.name}'s length")
    (length,) = struct.unpack(prefix, raw)
    start = handle.tell()
    if length < 0 or start + length > size:
        raise _NotAPickle(
            position, f"{opcode.name} announces {length} bytes but {size - start} remain"
        )
    if argument.name.startswith("unicodestring"):
        decoder = codecs.getincrementaldecoder("utf-8")("surrogatepass")
        try:
            for done in range(0, length, _CHUNK):
                decoder.decode(handle.read(min(_CHUNK, length - done)))
            decoder.decode(b"", final=True)
        except UnicodeDecodeError as exc:
            raise _NotAPickle(position, f"{opcode.name} is not UTF-8: {exc}") from None
    else:
        handle.seek(length, os.SEEK_CUR)


class PickleFormat(ModelFormat):
    """Python pickles; assay exports a ``PortableModel`` that predicts from raw rows."""

    id: ClassVar[str] = "pkl"
    description: ClassVar[str] = (
        "Python pickle; from assay: the model with its fitted preprocessing, predicting raw rows"
    )
    suffix: ClassVar[str] = ".pkl"

    def validate(self, path: Path) -> None:
        """Refuse a file that is not one whole pickle, without unpickling it (see module).

        Raises:
            InvalidArgument: Naming the byte where the opcode stream goes wrong, and what
                the file looks like instead where that is recognisable.
        """
        path = existing_file(path, self.id)
        size = path.stat().st_size
        with open(path, "rb") as handle:
            head = handle.read(8)
            handle.seek(0)
            try:
                check_pickle_stream(handle, size)
            except _NotAPickle as exc:
                looks = next(
                    (what for magic, what in _LOOKALIKES.items() if head.startswith(magic)), None
                )
                raise InvalidArgument(
                    f"format 'pkl': {path.name!r} is not a pickle: {exc}"
                    + (f"; it looks like {looks}" if looks else "")
                    + ". A pkl file is what pickle.dump or cloudpickle.dump writes."
                ) from None

    def can_export(self, predictor: Predictor) -> bool:
        """Every Predictor: its adapter saved the model, and the pickle carries those bytes."""
        return True

    def export(self, predictor: Predictor, path: Path) -> None:
        """Write the Predictor's ``PortableModel``: model and fitted preprocessing, one file."""
        import cloudpickle

        from assay.registry.formats.portable import PortableModel

        portable = PortableModel.of_predictor(predictor.id)
        with written_whole(path) as temporary, open(temporary, "wb") as handle:
            cloudpickle.dump(portable, handle)

    def load(self, path: Path) -> Any:
        """Unpickle the file: a ``PortableModel`` for files assay exported.

        This runs code the file names, as any unpickling does; load only files you trust.
        """
        with open(existing_file(path, self.id), "rb") as handle:
            return pickle.load(handle)
