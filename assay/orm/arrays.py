"""``Dataset.Sequence`` (3D) and ``Dataset.Image`` (4D): N-D data stored as ``.npy``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Self

import numpy as np

from assay.data import arrays, images
from assay.data.dtypes import check_samples
from assay.data.hashing import read_hashed, sha256_buffer
from assay.errors import InvalidArgument, NotFound
from assay.orm.base import id_method
from assay.orm.dataset import (
    SOURCE_PATH_LENGTH,
    Dataset,
    absolute,
    check_info,
    check_ingest,
    check_text,
    register,
    store_payload,
)

if TYPE_CHECKING:
    import pandas as pd
    import PIL.Image


class ArrayDataset(Dataset):
    """What Sequence and Image share: an ndarray of known dimensionality."""

    __mapper_args__ = {"polymorphic_abstract": True}
    ndim: ClassVar[int]
    argument: ClassVar[str]

    @classmethod
    def register_numpy(
        cls,
        arr_or_npy_path: np.ndarray | str | Path,
        *,
        ingest: bool | None,
        rename_columns: list[str] | None,
        retype: Any,
        description: str | None,
        name: str | None,
    ) -> Self:
        """Register an ndarray (always ingested) or an ``.npy`` file (not ingested by default).

        The body of each subclass's ``from_numpy``, which names its first argument as 001 does.

        Args:
            arr_or_npy_path: The data (3D for Sequence, 4D for Image), or the path of a
                ``.npy`` file holding it.
            ingest: Store the data in the metastore; None ingests an ndarray and leaves a
                file where it is (its hash is then checked each time it is read).
            rename_columns: A name for every column (the last dimension), in order.
            retype: One dtype for every column, or ``{column: dtype}``.
            description: What is unique about this dataset or version.
            name: Versions datasets: same name and new content gives the next version.
        """
        if isinstance(arr_or_npy_path, np.ndarray):
            if check_ingest(ingest, default=True) is False:
                raise InvalidArgument(
                    "ingest=False needs data in a file; an in-memory ndarray is always ingested. "
                    "Pass ingest=None or True, or save it with np.save and pass the path."
                )
            arr, path, source_format, ingest = arr_or_npy_path, None, "ndarray", True
            digest = None
        elif isinstance(arr_or_npy_path, (str, Path)):
            ingest = check_ingest(ingest, default=False)
            arr, digest = arrays.load_npy(arr_or_npy_path, cls.argument)
            path, source_format = absolute(arr_or_npy_path), "npy"
        else:
            raise InvalidArgument(
                f"{cls.argument} must be a {cls.ndim}D ndarray or an .npy path; got "
                f"{type(arr_or_npy_path).__name__}."
            )
        arr = arrays.check_array(arr, cls.ndim, cls.argument)
        return cls.register_array(
            arr,
            ingest=ingest,
            rename_columns=rename_columns,
            retype=retype,
            description=description,
            name=name,
            source_format=source_format,
            source_path=path,
            digest=None if ingest else digest,
        )

    @classmethod
    def register_array(
        cls,
        arr: np.ndarray,
        *,
        ingest: bool,
        rename_columns: Any,
        retype: Any,
        description: str | None,
        name: str | None,
        digest: str | None = None,
        **columns: Any,
    ) -> Self:
        """Name, retype, describe, hash and write an array (shared by every N-D constructor).

        Args:
            arr: The checked array (3D for Sequence, 4D for Image).
            ingest: Store the data in the metastore (else it is read from its source).
            rename_columns: A name for every column (the last dimension), or None.
            retype: One dtype for every column, ``{column: dtype}``, or None.
            description: What is unique about this dataset or version.
            name: Versions datasets: same name and new content gives the next version.
            digest: The SHA-256 of the source file, already computed; None: that of the
                ``.npy`` bytes of ``arr``.
            **columns: More columns of the row, e.g. ``source_format`` and ``source_path``.
        """
        check_info(name, description)
        names = arrays.column_names(arr, rename_columns)
        arr = arrays.retype_array(arr, retype)
        meta = arrays.describe_array(arr, names)
        stored = None
        if ingest:
            stored = store_payload(
                arr.nbytes,
                encode=lambda: arrays.to_npy(arr),
                write=lambda path: arrays.write_npy(arr, path),
                suffix=".npy",
            )
        if digest is None:
            digest = stored.digest if stored is not None else sha256_buffer(arrays.to_npy(arr))
        return register(
            cls,
            stored=stored,
            digest=digest,
            meta=meta,
            name=name,
            description=description,
            **columns,
        )

    def load_array(self) -> np.ndarray:
        """The whole array, from the metastore or from its verified source."""
        if self.is_ingested:
            return arrays.from_npy(self.stored_source())
        if self.source_format == "npy":
            path = Path(self.source_path or "")
            if not path.is_file():
                raise NotFound(
                    f"Dataset {self.id} was registered from {self.source_path!r} without "
                    "ingestion, and that file no longer exists."
                )
            data, digest = read_hashed(path, "source_path")
            self.check_source_unchanged(digest)
            arr = arrays.parse_npy(data, f"source_path {str(path)!r}")
            return arr.astype(self.dtypes, copy=False)
        if self.source_format == "folder":
            arr, _ = images.read_folder(self.source_path or "")
        else:
            arr = images.read_urls(self.urls or [])
        arr = arr.astype(self.dtypes, copy=False)
        self.check_source_unchanged(sha256_buffer(arrays.to_npy(arr)))
        return arr

    def select(self, columns: Any, samples: Any) -> np.ndarray:
        """Validated selection of columns (last dimension) and samples (first dimension)."""
        columns = self.check_columns(columns)
        samples = check_samples(samples, self.sample_count())
        return arrays.select_array(self.load_array(), list(self.columns), columns, samples)

    @id_method
    def to_arr(
        self, columns: list[str] | None = None, samples: list[int] | None = None
    ) -> np.ndarray:
        """The data as an ndarray (3D for Sequence, 4D for Image)."""
        return self.select(columns, samples)

    @id_method
    def to_df(
        self, columns: list[str] | None = None, samples: list[int] | None = None
    ) -> list[pd.DataFrame] | list[list[pd.DataFrame]]:
        """A DataFrame per sample (Sequence), or per channel of each sample (Image)."""
        columns = self.check_columns(columns)
        return arrays.to_frames(self.select(columns, samples), columns)


class Sequence(ArrayDataset):
    """3D data: (samples, rows, columns), e.g. many 2D time series."""

    __mapper_args__ = {"polymorphic_identity": "sequence"}
    ndim = 3
    argument = "arr3D_or_npyPath"

    @classmethod
    def from_numpy(
        cls,
        arr3D_or_npyPath: np.ndarray | str | Path,
        ingest: bool | None = None,
        rename_columns: list[str] | None = None,
        retype: Any = None,
        description: str | None = None,
        name: str | None = None,
    ) -> Sequence:
        """Register a 3D ndarray (always ingested) or an ``.npy`` file (not ingested by default).

        Args:
            arr3D_or_npyPath: The (samples, rows, columns) array, or the path of an ``.npy`` file.
            ingest: Keep the data in the metastore (default: True for an array, False for a path).
            rename_columns: New column names, one per column (the last dimension).
            retype: A dtype for every column, or one per column.
            description: What the dataset is.
            name: Short name; registering the same name again makes a new version.
        """
        return cls.register_numpy(
            arr3D_or_npyPath,
            ingest=ingest,
            rename_columns=rename_columns,
            retype=retype,
            description=description,
            name=name,
        )


class Image(ArrayDataset):
    """4D data: (samples, channels, rows, columns), from arrays, folders or URLs."""

    __mapper_args__ = {"polymorphic_identity": "image"}
    ndim = 4
    argument = "arr4D_or_npyPath"

    @classmethod
    def from_numpy(
        cls,
        arr4D_or_npyPath: np.ndarray | str | Path,
        ingest: bool | None = None,
        rename_columns: list[str] | None = None,
        retype: Any = None,
        description: str | None = None,
        name: str | None = None,
    ) -> Image:
        """Register a 4D ndarray (always ingested) or an ``.npy`` file (not ingested by default).

        Args:
            arr4D_or_npyPath: The (samples, channels, rows, columns) array, or an ``.npy`` path.
            ingest: Keep the data in the metastore (default: True for an array, False for a path).
            rename_columns: New column names, one per pixel column (the last dimension).
            retype: A dtype for every column, or one per column.
            description: What the dataset is.
            name: Short name; registering the same name again makes a new version.
        """
        return cls.register_numpy(
            arr4D_or_npyPath,
            ingest=ingest,
            rename_columns=rename_columns,
            retype=retype,
            description=description,
            name=name,
        )

    @classmethod
    def from_folder(
        cls,
        folder_path: str | Path,
        ingest: bool = False,
        rename_columns: list[str] | None = None,
        retype: Any = None,
        description: str | None = None,
        name: str | None = None,
    ) -> Image:
        """Register every image in a folder (sorted by file name); all must share one size.

        Args:
            folder_path: The folder of image files.
            ingest: Keep the pixels in the metastore (by default the files are read again,
                and their hashes checked, each time).
            rename_columns: A name for every column (pixel column), in order.
            retype: One dtype for every column, or ``{column: dtype}``.
            description: What is unique about this dataset or version.
            name: Versions datasets: same name and new content gives the next version.
        """
        ingest = check_ingest(ingest, default=False)
        arr, _ = images.read_folder(folder_path)
        return cls.register_array(
            arr,
            ingest=ingest,
            rename_columns=rename_columns,
            retype=retype,
            description=description,
            name=name,
            source_format="folder",
            source_path=absolute(folder_path),
        )

    @classmethod
    def from_urls(
        cls,
        urls: list[str],
        source_path: str | None = None,
        ingest: bool = False,
        rename_columns: list[str] | None = None,
        retype: Any = None,
        description: str | None = None,
        name: str | None = None,
    ) -> Image:
        """Register images read from http(s) or file URLs; all must share one size.

        Args:
            urls: The images, in sample order.
            source_path: Where the images are kept, for the record only.
            ingest: Keep the pixels in the metastore (the default here is False).
            rename_columns: New column names, one per pixel column.
            retype: A dtype for every column, or one per column.
            description: What the dataset is.
            name: Short name; registering the same name again makes a new version.
        """
        ingest = check_ingest(ingest, default=False)
        check_text(source_path, "source_path", max_length=SOURCE_PATH_LENGTH)
        arr = images.read_urls(urls)
        return cls.register_array(
            arr,
            ingest=ingest,
            rename_columns=rename_columns,
            retype=retype,
            description=description,
            name=name,
            source_format="urls",
            source_path=source_path,
            urls=list(urls),
        )

    @id_method
    def to_pillow(self, samples: list[int] | None = None) -> list[PIL.Image.Image]:
        """The images as Pillow images (1 channel: 'L', 3: 'RGB', 4: 'RGBA')."""
        return images.to_pillow(self.select(None, samples))


Dataset.Sequence = Sequence
Dataset.Image = Image
