"""Writing a file whole or not at all: what every writer of models and data files shares.

A reader never sees half a file, and a write that fails leaves nothing behind.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def written_whole(path: Path) -> Iterator[Path]:
    """A temporary path beside ``path`` that becomes ``path`` only if the block succeeds.

    An export that is refused (a parity check failed, a converter raised) leaves nothing at
    ``path``, and a reader never sees half a file.
    """
    path = Path(path)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(handle)
    try:
        yield Path(temporary)
        os.chmod(temporary, 0o644)  # mkstemp's 0600 would keep the file from its readers
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
