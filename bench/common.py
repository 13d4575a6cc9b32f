"""Shared timing machinery: each case runs in a fresh process so memory peaks are its own."""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class Measurement:
    """Median wall time over repeats and the process's peak memory above its starting point."""

    seconds: float
    peak_extra_mb: float


def child_measure(prepare: Callable[[], object], work: Callable[[object], None]) -> None:
    """In a child process: prepare the inputs, run the work once and print JSON figures.

    The peak memory reported is ``ru_maxrss`` after the work minus the resident size once
    the inputs exist, so it counts what the work itself held on top of its inputs.
    """
    with tempfile.TemporaryDirectory() as home:
        os.environ["ASSAY_HOME"] = home
        os.environ.pop("ASSAY_DATABASE_URL", None)
        inputs = prepare()
        before_mb = _rss_mb()
        started = time.perf_counter()
        work(inputs)
        seconds = time.perf_counter() - started
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "peak_extra_mb": max(peak_mb - before_mb, 0.0)}))


def _rss_mb() -> float:
    """The current resident set size in MiB (Linux)."""
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def measure(module: str, case: str, repeats: int) -> Measurement:
    """Run ``python -m module case`` ``repeats`` times; median seconds, largest memory peak."""
    runs = []
    for _ in range(repeats):
        out = subprocess.run(
            [sys.executable, "-m", module, case], check=True, capture_output=True, text=True
        ).stdout
        runs.append(json.loads(out.strip().splitlines()[-1]))
    return Measurement(
        seconds=statistics.median(run["seconds"] for run in runs),
        peak_extra_mb=max(run["peak_extra_mb"] for run in runs),
    )


def report(title: str, assay: Measurement, baseline: Measurement, target: float) -> float:
    """Print one comparison with its ratio against the target; returns the ratio."""
    ratio = assay.seconds / baseline.seconds
    verdict = "ok" if ratio <= target else "ABOVE TARGET"
    print(f"\n{title}")
    print(f"  baseline : {baseline.seconds:8.3f} s   peak +{baseline.peak_extra_mb:7.1f} MiB")
    print(f"  assay    : {assay.seconds:8.3f} s   peak +{assay.peak_extra_mb:7.1f} MiB")
    print(f"  ratio    : {ratio:8.2f}   (target <= {target})  {verdict}")
    return ratio


def median_seconds(work: Callable[[], object], repeats: int) -> float:
    """The median wall time of ``work()`` over ``repeats`` calls (after one warm-up call)."""
    work()
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def report_times(title: str, ours: float, baseline: float, target: float) -> float:
    """Print a timing comparison (seconds) and its ratio against the target."""
    ratio = ours / baseline
    verdict = "ok" if ratio <= target else "ABOVE TARGET"
    print(f"\n{title}")
    print(f"  baseline : {baseline:8.3f} s")
    print(f"  assay    : {ours:8.3f} s")
    print(f"  ratio    : {ratio:8.2f}   (target <= {target})  {verdict}")
    return ratio


def temporary_metastore() -> str:
    """Point assay at a fresh ASSAY_HOME for this process; returns its path."""
    home = tempfile.mkdtemp(prefix="assay-bench-")
    os.environ["ASSAY_HOME"] = home
    os.environ.pop("ASSAY_DATABASE_URL", None)
    from assay.store import reset_engines

    reset_engines()
    return home
