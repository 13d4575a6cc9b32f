"""Processes creating versions of one model at once never get the same number."""

import multiprocessing

import pytest

from assay.registry import Registry

pytestmark = pytest.mark.usefixtures("backend")

PER_WORKER = 8
WORKERS = 3


def create_versions(barrier) -> list[int]:
    """In a fresh process: wait for the others, then create versions as fast as possible."""
    model = Registry().model("churn")
    barrier.wait()
    return [model.create_version().version for _ in range(PER_WORKER)]


def test_processes_creating_versions_at_once_get_distinct_numbers():
    Registry().create_model("churn")
    context = multiprocessing.get_context("spawn")  # fresh engines, the test's environment
    with context.Manager() as manager:
        barrier = manager.Barrier(WORKERS)
        with context.Pool(WORKERS) as pool:
            results = pool.map(create_versions, [barrier] * WORKERS)
    given = sorted(number for numbers in results for number in numbers)
    assert given == list(range(1, WORKERS * PER_WORKER + 1))
    assert all(numbers == sorted(numbers) for numbers in results)
    assert [v.version for v in Registry().model("churn").versions] == given
