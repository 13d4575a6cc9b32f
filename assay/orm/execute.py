"""Moved to ``assay.search.executors.run``; this path stays for code that imported it."""

from assay.search.executors.run import EpochRecorder, execute_run

__all__ = ["EpochRecorder", "execute_run"]
