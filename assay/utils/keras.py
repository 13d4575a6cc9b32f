"""Keras helpers of the spec: the early-stopping callback ``TrainingCallback.MetricCutoff``.

Keras is imported only when ``TrainingCallback`` is first used, so importing this module
stays cheap; ``from assay.utils.keras import TrainingCallback`` works as the spec shows.
"""

from __future__ import annotations

from typing import Any

from assay.errors import InvalidArgument

DIRECTIONS = ("above", "below")


def check_cutoffs(thresholds: Any) -> list[dict[str, Any]]:
    """Validate ``[dict(metric=..., cutoff=..., above_or_below=...)]``."""
    if not isinstance(thresholds, (list, tuple)) or not thresholds:
        raise InvalidArgument(
            "MetricCutoff takes a non-empty list of dict(metric, cutoff, above_or_below); "
            f"got {thresholds!r}."
        )
    for at, threshold in enumerate(thresholds):
        if not isinstance(threshold, dict) or set(threshold) != {
            "metric",
            "cutoff",
            "above_or_below",
        }:
            raise InvalidArgument(
                f"MetricCutoff thresholds[{at}] must be dict(metric=str, cutoff=float, "
                f"above_or_below='above'|'below'); got {threshold!r}."
            )
        if not isinstance(threshold["metric"], str) or not threshold["metric"]:
            raise InvalidArgument(
                f"MetricCutoff thresholds[{at}]['metric'] must be a metric name such as "
                f"'val_accuracy'; got {threshold['metric']!r}."
            )
        if isinstance(threshold["cutoff"], bool) or not isinstance(
            threshold["cutoff"], (int, float)
        ):
            raise InvalidArgument(
                f"MetricCutoff thresholds[{at}]['cutoff'] must be a number; "
                f"got {threshold['cutoff']!r}."
            )
        if threshold["above_or_below"] not in DIRECTIONS:
            raise InvalidArgument(
                f"MetricCutoff thresholds[{at}]['above_or_below'] must be 'above' or 'below'; "
                f"got {threshold['above_or_below']!r}."
            )
    return list(thresholds)


def _build() -> type:
    from assay.train.adapters import import_keras

    keras = import_keras()

    class MetricCutoff(keras.callbacks.Callback):
        """Stop training at the end of the first epoch where every cutoff is met."""

        def __init__(self, thresholds: list[dict[str, Any]]) -> None:
            super().__init__()
            self.thresholds = check_cutoffs(thresholds)
            self.stopped_epoch: int | None = None

        def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
            logs = logs or {}
            for threshold in self.thresholds:
                metric = threshold["metric"]
                if metric not in logs:
                    raise InvalidArgument(
                        f"MetricCutoff: metric {metric!r} is not in the epoch's logs "
                        f"{sorted(logs)}; add it to model.compile(metrics=...)."
                    )
                value = logs[metric]
                met = (
                    value >= threshold["cutoff"]
                    if threshold["above_or_below"] == "above"
                    else value <= threshold["cutoff"]
                )
                if not met:
                    return
            self.stopped_epoch = epoch
            self.model.stop_training = True
            print(
                f"\n:: Epoch #{epoch} :: every MetricCutoff threshold was met; training stopped.\n"
            )

    class TrainingCallback:
        """Namespace of the spec: ``TrainingCallback.MetricCutoff(thresholds)``."""

    TrainingCallback.MetricCutoff = MetricCutoff
    return TrainingCallback


_built: type | None = None


def __getattr__(name: str) -> Any:
    """Build ``TrainingCallback`` (importing Keras) on first access."""
    global _built
    if name == "TrainingCallback":
        if _built is None:
            _built = _build()
        return _built
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
