"""The low-level API: one class per table. ``from assay.orm import *`` gives all of them."""

from assay.orm.arrays import Image, Sequence  # noqa: F401 - registers Dataset.Sequence, .Image
from assay.orm.base import BaseModel
from assay.orm.dataset import Dataset, DuplicateDatasetWarning
from assay.orm.feature import Feature
from assay.orm.label import Label
from assay.orm.tabular import Tabular  # noqa: F401 - registers Dataset.Tabular

__all__ = ["BaseModel", "Dataset", "DuplicateDatasetWarning", "Feature", "Label"]
