"""assay.nn: neural networks over fold files (issue 18, after LUMIN's core concepts).

``assay.nn.data`` writes and reads HDF5 fold files (``df2foldfile``, ``FoldYielder``);
``assay.nn.models`` builds networks from head, body and tail blocks; ``Model`` trains one
over a fold file with callbacks at every point, ``train_models`` trains many and ``Ensemble``
combines them. Nothing heavy is imported until a name is used: ``from assay.nn import Model``
loads PyTorch, ``import assay.nn`` does not.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_LAZY = {"data": "assay.nn.data", "models": "assay.nn.models", "callbacks": "assay.nn.callbacks"}
#: Public names and the module each comes from, imported on first use.
_NAMES = {
    "Model": "assay.nn.model",
    "train_models": "assay.nn.training",
    "Ensemble": "assay.nn.ensemble",
    "BatchYielder": "assay.nn.batch_yielder",
    "FitParams": "assay.nn.fit_params",
    "df2foldfile": "assay.nn.data",
    "FoldYielder": "assay.nn.data",
    "ModelBuilder": "assay.nn.models",
    **{
        name: "assay.nn.callbacks"
        for name in (
            "Callback",
            "EarlyStopping",
            "EvalMetric",
            "MeanAbsoluteError",
            "MetastoreLogger",
            "OneCycle",
            "ParametrisedPrediction",
            "PredHandler",
            "RocAucScore",
            "SaveBest",
        )
    },
}

__all__ = sorted(_NAMES)


def __getattr__(name: str) -> Any:
    """Load a subpackage or public name on first access, so ``import assay.nn`` stays light."""
    if name in _LAZY:
        return import_module(_LAZY[name])
    if name in _NAMES:
        return getattr(import_module(_NAMES[name]), name)
    raise AttributeError(f"module 'assay.nn' has no attribute {name!r}")
