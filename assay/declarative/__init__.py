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
Those modules import PyTorch; this one does not.
"""

from assay.declarative.config import load_config
from assay.declarative.experiment import configuration_of, prepare

__all__ = ["configuration_of", "load_config", "prepare"]
