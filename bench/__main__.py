"""Run every benchmark: ``python -m bench`` (or ``python -m bench NAME ...`` for some)."""

from __future__ import annotations

import importlib
import sys

BENCHMARKS = [
    "register_dataset",
    "cache_samples",
    "train_jobs",
    "importance",
    "registry",
    "search",
    "foldfile",
    "nn_fit",
    "server_api",
    "track",
    "dashboard",
]
# Run only when named: counts, not timings (``python -m bench sql_counts``), and the whole
# experiment against its floor, which takes minutes (``python -m bench experiment``).
ON_REQUEST = ["sql_counts", "experiment"]


def main(names: list[str]) -> None:
    """Run the named benchmarks (all timed ones by default) and print their results."""
    known = BENCHMARKS + ON_REQUEST
    unknown = sorted(set(names) - set(known))
    if unknown:
        raise SystemExit(f"unknown benchmark(s) {unknown}; choose from {known}")
    for name in names or BENCHMARKS:
        importlib.import_module(f"bench.{name}").run()


if __name__ == "__main__":
    main(sys.argv[1:])
