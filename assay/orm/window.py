"""Window (section 7): sliding windows over a time series Feature, for walk-forward forecasting.

The windows become the samples: splits stratify windows, not timesteps. Each unshifted
window (the past) is a sample's features; its shifted window (the future) is its target.
"""

from __future__ import annotations

import numpy as np
from sqlalchemy import JSON, ForeignKey, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from assay.errors import InvalidArgument
from assay.orm.base import BaseModel, Deletable, related
from assay.orm.feature import Feature
from assay.orm.preprocessing import check_bool
from assay.store import transaction


class Window(Deletable, BaseModel):
    """The timestep indices of each window of a Feature."""

    __tablename__ = "window"

    size_window: Mapped[int]
    size_shift: Mapped[int]
    window_count: Mapped[int]
    record_shifted: Mapped[bool]
    samples_unshifted: Mapped[list] = mapped_column(JSON)
    samples_shifted: Mapped[list | None] = mapped_column(JSON)
    feature_id: Mapped[int] = mapped_column(
        ForeignKey("feature.id", ondelete="CASCADE"), index=True
    )
    feature_: Mapped[Feature] = relationship("Feature", viewonly=True)

    @property
    def feature(self) -> Feature:
        """The Feature these windows are drawn from."""
        return related(self, "feature_")

    @classmethod
    def from_feature(
        cls, feature_id: int, size_window: int, size_shift: int, record_shifted: bool = True
    ) -> Window:
        """Cut a Feature's samples (timesteps) into windows aligned to the end of the series.

        Data of any dimensionality is windowed along its first axis: the rows of a Tabular
        Dataset, or the samples of a Sequence (3D) or Image (4D) one, so each window holds
        ``size_window`` consecutive samples.

        Args:
            feature_id: A Feature whose samples (first axis) are timesteps.
            size_window: Timesteps in each window (the past a model learns from).
            size_shift: Timesteps between windows, and in each shifted window (the future).
            record_shifted: False for inference: no future is known, and the latest
                ``size_window`` timesteps become one more window to predict from.

        Raises:
            InvalidArgument: Sizes that are not positive ints or too large for the series,
                or a second Window for the Feature.
        """
        from assay.preprocess.window import window_indices

        feature = Feature.get_by_id(feature_id)
        check_bool(record_shifted, "record_shifted")
        for argument, value in (("size_window", size_window), ("size_shift", size_shift)):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
                raise InvalidArgument(f"{argument} must be an int; got {value!r}.")
        unshifted, shifted = window_indices(
            feature.dataset.sample_count(), int(size_window), int(size_shift), record_shifted
        )
        with transaction() as db:
            existing = db.scalar(select(cls.id).where(cls.feature_id == feature.id))
            if existing is not None:
                raise InvalidArgument(
                    f"feature_id: Feature {feature.id} already has Window {existing}."
                )
            row = cls(
                feature_id=feature.id,
                size_window=int(size_window),
                size_shift=int(size_shift),
                record_shifted=record_shifted,
                window_count=len(unshifted),
                samples_unshifted=unshifted.tolist(),
                samples_shifted=None if shifted is None else shifted.tolist(),
            )
            db.add(row)
        return row

    def unshifted_indices(self) -> np.ndarray:
        """``samples_unshifted`` as an int array of shape (window_count, size_window)."""
        return np.asarray(self.samples_unshifted, dtype=np.int64)

    def shifted_indices(self) -> np.ndarray | None:
        """``samples_shifted`` as an int array of shape (window_count, size_shift), if kept."""
        if self.samples_shifted is None:
            return None
        return np.asarray(self.samples_shifted, dtype=np.int64)
