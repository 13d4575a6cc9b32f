"""Declarative experiments: a model described by a configuration, trained through assay's rows.

A YAML (or dict) configuration names input and output features by type, their encoders and
decoder, a combiner, the trainer, the splits and an optional hyperparameter search;
``load_config`` checks it and fills in the defaults (docs/configuration.md lists every key).
``prepare(config, dataset)`` writes the Dataset, Features, Label, coders, Splitset,
Algorithm and Queue; ``queue.run_jobs()`` trains, predicts and scores as for any Queue. The
``assay experiment|train|predict|evaluate|hyperopt|visualize`` commands wrap both.

Registries, each extended by name or by another package's entry points:
``feature_type_registry`` (``assay.declarative.features``), ``encoder_registry``
(``.encoders``), ``decoder_registry`` (``.decoders``), ``combiner_registry`` (``.combiners``).
Those modules import PyTorch; this one imports nothing until a name is used, so that
``assay --help`` (whose commands live in ``assay.declarative.commands``) stays fast.
"""

from importlib import import_module
from typing import Any

#: Each public name and the module it lives in.
_HOMES = {
    "load_config": "assay.declarative.config",
    "configuration_of": "assay.declarative.experiment",
    "prepare": "assay.declarative.experiment",
}

__all__ = sorted(_HOMES)


def __getattr__(name: str) -> Any:
    """Import a public name's module on first use."""
    if name not in _HOMES:
        raise AttributeError(f"module 'assay.declarative' has no attribute {name!r}")
    return getattr(import_module(_HOMES[name]), name)
