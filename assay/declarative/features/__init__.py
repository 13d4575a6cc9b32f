"""Feature types by name (``feature_type_registry``).

Built in: numerical, category, binary, text, sequence, timeseries and image; register your
own with ``@feature_type_registry.register("name")`` on a ``FeatureType`` subclass.
"""

from assay.declarative.features.base import FeatureType, feature_type_registry
from assay.declarative.features.image import Image
from assay.declarative.features.scalar import Binary, Category, Numerical
from assay.declarative.features.sequence import Sequence, Text, Timeseries

__all__ = [
    "Binary",
    "Category",
    "FeatureType",
    "Image",
    "Numerical",
    "Sequence",
    "Text",
    "Timeseries",
    "feature_type_registry",
]
