"""Feature (section 2): the columns of a Dataset that a model learns from."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from sqlalchemy import JSON
from sqlalchemy.orm import Mapped, mapped_column, relationship

from assay.errors import InvalidArgument
from assay.orm.base import Deletable, id_method, related
from assay.orm.columns import ColumnSelection
from assay.orm.dataset import Dataset
from assay.store import transaction

if TYPE_CHECKING:
    import pandas as pd

    from assay.orm.encode import FeatureCoder
    from assay.orm.interpolate import FeatureInterpolater
    from assay.orm.shape import FeatureShaper
    from assay.orm.splitset import Splitset
    from assay.orm.window import Window
    from assay.preprocess.pipeline import Preprocessed, Steps


class Feature(Deletable, ColumnSelection):
    """Predictive columns; always the last dimension of the Dataset's shape."""

    __tablename__ = "feature"

    columns_excluded: Mapped[list | None] = mapped_column(JSON)

    featureinterpolaters_: Mapped[list[FeatureInterpolater]] = relationship(
        "FeatureInterpolater", viewonly=True, order_by="FeatureInterpolater.idx"
    )
    featurecoders_: Mapped[list[FeatureCoder]] = relationship(
        "FeatureCoder", viewonly=True, order_by="FeatureCoder.idx"
    )
    featureshapers_: Mapped[list[FeatureShaper]] = relationship(
        "FeatureShaper", viewonly=True, order_by="FeatureShaper.id"
    )
    windows_: Mapped[list[Window]] = relationship("Window", viewonly=True, order_by="Window.id")
    splitsets_: Mapped[list[Splitset]] = relationship(
        "Splitset", secondary="splitset_feature", viewonly=True, order_by="Splitset.id"
    )

    @classmethod
    def from_dataset(
        cls,
        dataset_id: int,
        include_columns: list[str] | None = None,
        exclude_columns: list[str] | None = None,
    ) -> Feature:
        """Choose a Dataset's predictive columns: all, only some, or all but some.

        Args:
            dataset_id: The Dataset the columns come from.
            include_columns: Only these columns.
            exclude_columns: Every column but these. Not together with include_columns.

        Raises:
            InvalidArgument: Both filters given, unknown or duplicated columns, or none left.
        """
        dataset = Dataset.get_by_id(dataset_id)
        if include_columns is not None and exclude_columns is not None:
            raise InvalidArgument(
                "include_columns and exclude_columns cannot be used together; pass one of them."
            )
        if include_columns is not None:
            included = dataset.check_columns(include_columns, "include_columns")
        elif exclude_columns is not None:
            excluded = dataset.check_columns(exclude_columns, "exclude_columns")
            included = [column for column in dataset.columns if column not in excluded]
            if not included:
                raise InvalidArgument(
                    "exclude_columns excludes every column of the Dataset; leave at least one."
                )
        else:
            included = list(dataset.columns)
        excluded_columns = [column for column in dataset.columns if column not in included]
        with transaction() as db:
            feature = cls(
                dataset_id=dataset.id, columns=included, columns_excluded=excluded_columns or None
            )
            db.add(feature)
        return feature

    # -- the preprocessing recorded for this Feature -------------------------------------

    @property
    def featureinterpolaters(self) -> list[FeatureInterpolater]:
        """This Feature's FeatureInterpolaters, in the order they were made."""
        return related(self, "featureinterpolaters_")

    @property
    def featurecoders(self) -> list[FeatureCoder]:
        """This Feature's FeatureCoders, in the order they apply: imputers first, then by idx."""
        rows = related(self, "featurecoders_")
        return sorted(rows, key=lambda row: not row.is_imputer)  # stable: idx within each

    @property
    def featureshapers(self) -> list[FeatureShaper]:
        """This Feature's FeatureShaper, if any (a list of at most one)."""
        return related(self, "featureshapers_")

    @property
    def windows(self) -> list[Window]:
        """This Feature's Window, if any (a list of at most one)."""
        return related(self, "windows_")

    @property
    def window(self) -> Window | None:
        """The Feature's Window, or None."""
        windows = self.windows
        return windows[0] if windows else None

    @property
    def splitsets(self) -> list[Splitset]:
        """The Splitsets that use this Feature (read through the splitset_feature table)."""
        return related(self, "splitsets_")

    @property
    def fitted_featurecoders(self) -> list[Any] | None:
        """The coders fitted for this Feature by its newest Splitset with cached samples.

        Each Splitset and Fold keeps the coders it fitted (a Feature can be fitted by
        many); this reads the newest Splitset's, for inverse-transforming as 001 says.
        None until a Splitset using this Feature has cached its samples.
        """
        for splitset in reversed(self.splitsets):
            fitted = splitset.fitted_featurecoders
            if fitted is not None:
                return fitted[[feature.id for feature in splitset.features].index(self.id)]
        return None

    def sample_count(self) -> int:
        """Samples as splits see them: windows when the Feature has a Window, else rows."""
        window = self.window
        return window.window_count if window is not None else self.dataset.sample_count()

    def steps(self, with_shaper: bool = True) -> Steps:
        """The recorded preprocessing as ``assay.preprocess.pipeline.Steps``."""
        from assay.orm.preprocessing import feature_steps

        shapers = self.featureshapers if with_shaper else []
        return feature_steps(
            self.columns,
            self.featureinterpolaters,
            self.featurecoders,
            self.window,
            shapers[0] if shapers else None,
        )

    def raw_data(self) -> pd.DataFrame | np.ndarray:
        """The Feature's columns as preprocessing takes them: a DataFrame or an N-D array."""
        if self.dataset.typ == "tabular":
            return self.to_df()
        return self.to_arr()

    def encoded_column_names(self) -> list[str]:
        """Column names after encoding, in the order preprocessing lays them out."""
        from assay.preprocess.pipeline import encoded_columns

        coders = self.featurecoders
        return encoded_columns(self.steps(), [row.encoded_column_names for row in coders])

    def preprocessed_shape(self) -> tuple[int, ...]:
        """The shape of all samples after interpolation, encoding and windowing (not shaping)."""
        columns = len(self.encoded_column_names())
        shape = tuple(self.dataset.shape.values())
        window = self.window
        if window is not None:  # windows of samples: each keeps the axes of a sample
            return (window.window_count, window.size_window, *shape[1:-1], columns)
        return (*shape[:-1], columns)

    @id_method
    def preprocess(
        self,
        samples: dict[str, Any],
        train_key: str | None = "train",
        fitted: list[Any] | None = None,
        steps: Any = None,
        data: Any = None,
    ) -> Preprocessed:
        """Preprocess some samples: interpolate, encode, window, shape, fitting on train only.

        Args:
            samples: Sample indices by split name (windows when the Feature has a Window).
            train_key: The split whose samples the interpolaters and coders learn from.
            fitted: Coders fitted earlier (inference): transform only, never refit.
            steps: Preprocessing recorded elsewhere (inference applies the trained
                Feature's steps to new data); None uses this Feature's own.
            data: This Feature's ``raw_data()``, when the caller has it already.

        Returns:
            ``assay.preprocess.pipeline.Preprocessed``: ``arrays`` by split, the ``fitted``
            coders, and the windows' ``shifted`` targets by split.
        """
        from assay.preprocess.pipeline import preprocess

        return preprocess(
            self.raw_data() if data is None else data,
            {name: np.asarray(rows, dtype=np.int64) for name, rows in samples.items()},
            self.steps() if steps is None else steps,
            train_key=train_key,
            fitted=fitted,
        )
