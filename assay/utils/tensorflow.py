"""The spec's name for the Keras helpers: ``from assay.utils.tensorflow import TrainingCallback``."""

from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    """Re-export ``assay.utils.keras`` names lazily (importing Keras only when used)."""
    from assay.utils import keras

    return getattr(keras, name)
