"""The low-level API: one class per table. ``from assay.orm import *`` gives all of them."""

from assay.orm.algorithm import Algorithm, Hyperparamcombo, Hyperparamset
from assay.orm.arrays import Image, Sequence  # noqa: F401 - registers Dataset.Sequence, .Image
from assay.orm.base import BaseModel
from assay.orm.dataset import Dataset, DuplicateDatasetWarning
from assay.orm.encode import FeatureCoder, LabelCoder
from assay.orm.feature import Feature
from assay.orm.interpolate import FeatureInterpolater, LabelInterpolater
from assay.orm.label import Label
from assay.orm.predictor import EpochMetrics, Prediction, Predictor
from assay.orm.queue import Queue
from assay.orm.run import Job, Run
from assay.orm.search import QueueSearch, Trial
from assay.orm.shape import FeatureShaper
from assay.orm.splitset import Fold, Splitset
from assay.orm.tabular import Tabular  # noqa: F401 - registers Dataset.Tabular
from assay.orm.tracking import RunPlot
from assay.orm.window import Window
from assay.registry import tables as _registry_tables  # noqa: F401 - the registry's tables
from assay.server import tables as _server_tables  # noqa: F401 - API tokens

__all__ = [
    "Algorithm",
    "BaseModel",
    "Dataset",
    "DuplicateDatasetWarning",
    "EpochMetrics",
    "Feature",
    "FeatureCoder",
    "FeatureInterpolater",
    "FeatureShaper",
    "Fold",
    "Hyperparamcombo",
    "Hyperparamset",
    "Job",
    "Label",
    "LabelCoder",
    "LabelInterpolater",
    "Prediction",
    "Predictor",
    "Queue",
    "QueueSearch",
    "Run",
    "RunPlot",
    "Splitset",
    "Trial",
    "Window",
]
