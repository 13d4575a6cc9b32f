"""What the commands print and write: metrics tables, predictions, the files of a run."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from assay.errors import AssayError

#: The metrics printed in the table of each analysis type (every one is written to JSON).
SHOWN = {
    "classification_binary": ["loss", "accuracy", "f1_weighted", "roc_auc"],
    "classification_multi": ["loss", "accuracy", "f1_weighted", "roc_auc"],
    "regression": ["loss", "r2", "rmse", "mae"],
}


class RunFailed(AssayError):
    """A training run of the command failed; the message holds its error's last line."""


def check_succeeded(queue: Any) -> None:
    """Raise RunFailed unless every run of the Queue succeeded."""
    failed = [run for run in queue.runs if run.status != "succeeded"]
    if failed:
        run = failed[0]
        last = (run.message or "").strip().splitlines()
        raise RunFailed(
            f"run {run.id} {run.status}: {last[-1] if last else 'no message'} "
            f"(assay runs {queue.id} shows every run)."
        )


def metrics_frame(metrics: dict[str, dict[str, float]], analysis_type: str | None) -> pd.DataFrame:
    """A table of one model's metrics: a row per split, the type's main metrics as columns."""
    frame = pd.DataFrame(metrics).T
    shown = [name for name in SHOWN.get(analysis_type or "", []) if name in frame.columns]
    return frame[shown] if shown else frame


def write_json(path: Path, value: Any) -> Path:
    """Write JSON (indented, NaN as null) and return the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value, indent=2, default=_plain) + "\n")
    return path


def _plain(value: Any) -> Any:
    if hasattr(value, "item"):
        return value.item()
    if hasattr(value, "tolist"):
        return value.tolist()
    return str(value)


def write_predictions(prediction: Any, folder: Path) -> list[Path]:
    """Each split's decoded predictions (and probabilities) as ``predictions_<split>.csv``."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for split in prediction.predictions:
        path = folder / f"predictions_{split}.csv"
        prediction.to_df(split).to_csv(path)
        paths.append(path)
    return paths
