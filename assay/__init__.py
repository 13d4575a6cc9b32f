"""assay: an object-relational model for rigorous, reproducible machine learning.

``from assay.orm import *`` gives the low-level API (Dataset, Feature, Label, ...). The
package itself imports nothing heavy: the ORM, and libraries such as torch or keras, load
when they are first used.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from assay.errors import AssayError, DataChanged, InvalidArgument, MissingDependency, NotFound

__version__ = "0.1.0"

_LAZY = {"orm": "assay.orm", "mlops": "assay.mlops", "track": "assay.track"}

__all__ = [
    "AssayError",
    "DataChanged",
    "InvalidArgument",
    "MissingDependency",
    "NotFound",
    "__version__",
]


def __getattr__(name: str) -> Any:
    """Load ``assay.orm`` and friends on first access, so that ``import assay`` stays fast."""
    if name in _LAZY:
        return import_module(_LAZY[name])
    raise AttributeError(f"module 'assay' has no attribute {name!r}")
