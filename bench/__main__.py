"""Run every benchmark: ``python -m bench`` (or ``python -m bench NAME ...`` for some)."""

from __future__ import annotations

import importlib
import sys

BENCHMARKS = ["register_dataset", "cache_samples", "train_jobs", "importance"]


def main(names: list[str]) -> None:
    """Run the named benchmarks (all by default) and print their ratios."""
    unknown = sorted(set(names) - set(BENCHMARKS))
    if unknown:
        raise SystemExit(f"unknown benchmark(s) {unknown}; choose from {BENCHMARKS}")
    for name in names or BENCHMARKS:
        importlib.import_module(f"bench.{name}").run()


if __name__ == "__main__":
    main(sys.argv[1:])
