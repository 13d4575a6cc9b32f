"""Whether the process that holds a run is still alive on this host.

A run's row names the host and pid of the process training it. When that process is gone
(killed, or a zombie not yet reaped), the run may be taken by another worker.
"""

from __future__ import annotations

import os
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
