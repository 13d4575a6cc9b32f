"""Live training history: each epoch's metrics reach the metastore while a model trains.

``assay.utils.pytorch.fit`` and the Keras callback that adapters attach call
``report_epoch``; the run that trains sets where the reports go with ``epoch_hook``.
``training_run`` says which run is training in this context, so that ``assay.track`` called
from a run's ``fn_train`` needs no run id.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

EpochHook = Callable[[int, dict[str, Any]], None]

_hook: contextvars.ContextVar[EpochHook | None] = contextvars.ContextVar(
    "assay_epoch_hook", default=None
)


@dataclass
class TrainingRun:
    """The run training in this context, and the status its code reported, if any."""

    run_id: int
    status: str | None = None
    message: str | None = None


_run: contextvars.ContextVar[TrainingRun | None] = contextvars.ContextVar(
    "assay_training_run", default=None
)


@contextmanager
def training_run(run_id: int) -> Iterator[TrainingRun]:
    """Mark the code inside this block as training run ``run_id``; yields what it reports."""
    report = TrainingRun(run_id)
    token = _run.set(report)
    try:
        yield report
    finally:
        _run.reset(token)


def current_run() -> TrainingRun | None:
    """The run training in this context, or None outside a run."""
    return _run.get()


@contextmanager
def epoch_hook(on_epoch: EpochHook | None) -> Iterator[None]:
    """Send the epochs reported inside this block to ``on_epoch``."""
    token = _hook.set(on_epoch)
    try:
        yield
    finally:
        _hook.reset(token)


def report_epoch(epoch: int, metrics: dict[str, Any]) -> None:
    """Report one finished epoch (0-based) and its metrics, if anyone is listening."""
    hook = _hook.get()
    if hook is not None:
        hook(epoch, metrics)


def is_listening() -> bool:
    """Whether a run is collecting epochs right now."""
    return _hook.get() is not None
