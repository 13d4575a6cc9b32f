"""The image feature type: a column of image file paths."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import pandas as pd

from assay.declarative.coders import ImageCoder, resolve_image
from assay.declarative.features.base import FeatureType, feature_type_registry, missing_count
from assay.errors import InvalidArgument


@feature_type_registry.register("image")
class Image(FeatureType):
    """Paths of image files (PNG, JPEG...), absolute or relative to the dataset's folder.

    Args:
        height: Rows every image is resized to (None: the first image's).
        width: Columns every image is resized to (None: the first image's).
        channels: 1 (grayscale) or 3 (RGB) (None: 1 if the first image is grayscale, else 3).
    """

    kind = "image"
    default_encoder = "stacked_cnn"

    def __init__(
        self,
        height: int | None = None,
        width: int | None = None,
        channels: Literal[1, 3] | None = None,
    ) -> None:
        self.height = height
        self.width = width
        self.channels = channels

    def get_feature_meta(self, values: pd.Series, root: Path) -> dict[str, Any]:
        """The size every image is read at (from the first image unless set) and the folder."""
        from PIL import Image as PILImage

        if values.isna().any():
            raise InvalidArgument(f"has {missing_count(values)} empty cells; each needs an image.")
        if not len(values):
            raise InvalidArgument("has no samples.")
        with PILImage.open(resolve_image(values.iloc[0], str(root))) as first:
            width, height = first.size
            channels = 1 if first.mode in ("L", "1", "I", "F") else 3
        return {
            "kind": "image",
            "height": self.height or height,
            "width": self.width or width,
            "channels": self.channels or channels,
            "root": str(root),
            "count": len(values),
        }

    def coders(self, meta: dict[str, Any]) -> list[Any]:
        """An ImageCoder at the metadata's size."""
        return [
            ImageCoder(
                root=meta["root"],
                height=meta["height"],
                width=meta["width"],
                channels=meta["channels"],
            )
        ]
