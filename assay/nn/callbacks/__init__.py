"""Callbacks for ``Model.fit`` and ``Model.predict``: the base, and the ones assay provides."""

from assay.nn.callbacks.base import POINTS, PRED_POINTS, TRAIN_POINTS, Callback, CallbackList
from assay.nn.callbacks.early_stopping import EarlyStopping, SaveBest
from assay.nn.callbacks.metastore import MetastoreLogger
from assay.nn.callbacks.metrics import EvalMetric, MeanAbsoluteError, RocAucScore
from assay.nn.callbacks.monitor import Monitor
from assay.nn.callbacks.parametrised import ParametrisedPrediction
from assay.nn.callbacks.pred_handler import PredHandler
from assay.nn.callbacks.schedule import OneCycle

__all__ = [
    "POINTS",
    "PRED_POINTS",
    "TRAIN_POINTS",
    "Callback",
    "CallbackList",
    "EarlyStopping",
    "EvalMetric",
    "MeanAbsoluteError",
    "MetastoreLogger",
    "Monitor",
    "OneCycle",
    "ParametrisedPrediction",
    "PredHandler",
    "RocAucScore",
    "SaveBest",
]
