"""assay.nn: neural networks over fold files (issue 18, after LUMIN's core concepts).

``assay.nn.data`` writes and reads HDF5 fold files (``df2foldfile``, ``FoldYielder``);
``assay.nn.models`` builds networks from head, body and tail blocks. Nothing heavy is
imported until a name is used.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_LAZY = {"data": "assay.nn.data", "models": "assay.nn.models"}


def __getattr__(name: str) -> Any:
    """Load a subpackage on first access, so that ``import assay.nn`` stays light."""
    if name in _LAZY:
        return import_module(_LAZY[name])
    raise AttributeError(f"module 'assay.nn' has no attribute {name!r}")
