"""Live training history: each epoch's metrics reach the metastore while a model trains.

``assay.utils.pytorch.fit`` and the Keras callback that adapters attach call
``report_epoch``; the run that trains sets where the reports go with ``epoch_hook``.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

EpochHook = Callable[[int, dict[str, Any]], None]

_hook: contextvars.ContextVar[EpochHook | None] = contextvars.ContextVar(
    "assay_epoch_hook", default=None
)


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
