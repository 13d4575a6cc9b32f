"""Whether the process that holds a run is still alive on this host.

A run's row names the host and pid of the process training it. On the same host, the run is
alive while that process is (a killed process or a zombie not yet reaped is not). Another
host's pids mean nothing here, so a process training a run also writes ``run.heartbeat``
every ``heartbeat_seconds()``; another host's run is alive while its heartbeat is younger
than ``heartbeat_timeout()``. A run that is not alive may be taken by another worker.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path


def process_is_alive(pid: int) -> bool:
    """Whether a process of this host runs with ``pid`` (a zombie does not count)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return not is_zombie(pid)


def is_zombie(pid: int) -> bool:
    """Whether ``pid`` has exited but not been reaped (state 'Z' in /proc, where there is one)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    # "pid (command name) state ...": the name may hold spaces and parentheses.
    fields = stat.rpartition(")")[2].split()
    return bool(fields) and fields[0] in ("Z", "X")


#: How often a process training a run writes ``run.heartbeat`` (``ASSAY_HEARTBEAT_SECONDS``).
DEFAULT_HEARTBEAT_SECONDS = 10.0
#: How many missed beats make another host's run count as dead (see ``heartbeat_timeout``).
DEFAULT_TIMEOUT_BEATS = 6


def heartbeat_seconds() -> float:
    """Seconds between two heartbeats of a training run: ``ASSAY_HEARTBEAT_SECONDS`` or 10."""
    return _positive_seconds("ASSAY_HEARTBEAT_SECONDS", DEFAULT_HEARTBEAT_SECONDS)


def heartbeat_timeout() -> float:
    """Seconds after its last heartbeat when another host's run counts as dead.

    ``ASSAY_HEARTBEAT_TIMEOUT``, or six heartbeat intervals. Make it longer than the clock
    difference between the machines: each host stamps its beats with its own clock.
    """
    return _positive_seconds("ASSAY_HEARTBEAT_TIMEOUT", DEFAULT_TIMEOUT_BEATS * heartbeat_seconds())


def heartbeat_is_fresh(beat: datetime | None) -> bool:
    """Whether a heartbeat (aware UTC) is younger than ``heartbeat_timeout()``; None is not."""
    if beat is None:
        return False
    return datetime.now(UTC) - beat < timedelta(seconds=heartbeat_timeout())


def _positive_seconds(variable: str, default: float) -> float:
    """A number of seconds > 0 from the environment, or ``default`` when it is unset."""
    from assay.errors import InvalidArgument

    raw = os.environ.get(variable)
    if raw is None or not raw.strip():
        return default
    try:
        seconds = float(raw)
    except ValueError:
        seconds = float("nan")
    if not seconds > 0 or seconds == float("inf"):
        raise InvalidArgument(f"{variable} must be a number of seconds > 0; got {raw!r}.")
    return seconds
