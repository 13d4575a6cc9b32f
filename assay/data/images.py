"""Images through Pillow: folders and URLs in, a 4D (samples, channels, rows, columns) array out.

assay keeps images channels-first: a grayscale picture is one channel, RGB three.
"""

from __future__ import annotations

import io
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from assay.data.dtypes import check_path
from assay.errors import InvalidArgument, NotFound

MODES = {1: "L", 3: "RGB", 4: "RGBA"}


def image_to_array(image: Any, source: str) -> np.ndarray:
    """One Pillow image as a (channels, rows, columns) array."""
    if image.mode not in ("L", "RGB", "RGBA", "I", "F", "I;16"):
        image = image.convert("RGB")
    arr = np.asarray(image)
    if arr.ndim == 2:
        return arr[np.newaxis, ...]
    if arr.ndim == 3:
        return np.moveaxis(arr, -1, 0)
    raise InvalidArgument(f"image {source!r} has an unsupported shape {arr.shape}.")


def stack_images(arrays: list[np.ndarray], sources: list[str], argument: str) -> np.ndarray:
    """Stack images into 4D, insisting that every image has the same shape and dtype.

    Args:
        arrays: One (channels, rows, columns) array per image, in sample order.
        sources: Where each image came from (file name or URL), to name the odd ones out.
        argument: The caller's argument, ``'folder_path'`` or ``'urls'``, for the error.
    """
    shapes = {arr.shape for arr in arrays}
    if len(shapes) > 1:
        first = arrays[0].shape
        odd = [src for src, arr in zip(sources, arrays, strict=True) if arr.shape != first]
        raise InvalidArgument(
            f"{argument}: every image must have the same size and channels (crop them first); "
            f"{sources[0]!r} is (channels, rows, columns) {first} but these differ: {odd[:5]!r}."
        )
    dtypes = {arr.dtype for arr in arrays}
    if len(dtypes) > 1:
        raise InvalidArgument(
            f"{argument}: images have mixed pixel types {sorted(map(str, dtypes))}."
        )
    return np.stack(arrays)


def read_folder(folder: str | Path) -> tuple[np.ndarray, list[str]]:
    """Every image in a folder, sorted by file name, as a 4D array and the file names."""
    from PIL import Image

    folder = check_path(folder, "folder_path")
    if not folder.is_dir():
        raise NotFound(f"folder_path {str(folder)!r} is not a folder.")
    files = sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))
    if not files:
        raise InvalidArgument(f"folder_path {str(folder)!r} holds no image files.")
    arrays = []
    for path in files:
        try:
            with Image.open(path) as image:
                arrays.append(image_to_array(image, path.name))
        except (OSError, Image.DecompressionBombError) as exc:
            raise InvalidArgument(
                f"folder_path {str(folder)!r} holds {path.name!r}, which Pillow cannot read as "
                f"an image ({exc}); keep only whole images in the folder."
            ) from exc
    names = [path.name for path in files]
    return stack_images(arrays, names, "folder_path"), names


def read_urls(urls: Sequence[str]) -> np.ndarray:
    """Download (http, https) or open (file) each URL as an image and stack them into 4D."""
    from PIL import Image

    if isinstance(urls, str) or not isinstance(urls, Sequence) or not urls:
        raise InvalidArgument(f"urls must be a non-empty list of str; got {urls!r}.")
    arrays = []
    for url in urls:
        if not isinstance(url, str) or url.split(":", 1)[0] not in ("http", "https", "file"):
            raise InvalidArgument(f"urls must hold http(s):// or file:// URLs; got {url!r}.")
        try:
            with urllib.request.urlopen(url, timeout=60) as response:
                data = response.read()
            with Image.open(io.BytesIO(data)) as image:
                arrays.append(image_to_array(image, url))
        except (OSError, Image.DecompressionBombError) as exc:  # Pillow's errors included
            raise InvalidArgument(f"urls: cannot read an image from {url!r}: {exc}") from exc
    return stack_images(arrays, list(urls), "urls")


def to_pillow(arr: np.ndarray) -> list[Any]:
    """A 4D (samples, channels, rows, columns) array as Pillow images."""
    from PIL import Image

    channels = arr.shape[1]
    if channels not in MODES:
        raise InvalidArgument(
            f"to_pillow needs 1, 3 or 4 channels to make images; this data has {channels}."
        )
    images = []
    for sample in arr:
        pixels = sample[0] if channels == 1 else np.moveaxis(sample, 0, -1)
        if pixels.dtype != np.uint8:
            pixels = np.clip(pixels, 0, 255).astype(np.uint8)
        images.append(Image.fromarray(np.ascontiguousarray(pixels), mode=MODES[channels]))
    return images
