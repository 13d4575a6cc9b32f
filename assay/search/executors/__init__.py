"""Executors train a Queue's runs (004's HyperoptExecutor), each built on ``run.execute_run``.

- ``run``: one run, claimed, trained, evaluated and stored; any process may call it.
- ``base``: the ``Executor`` every executor extends (``run_runs``, ``workers``).
- ``serial``: one run after the other in this process (``Queue.run_jobs``'s default).
- ``parallel``: worker processes of this machine, each running the claim loop (``worker``).
- ``dask``: one task per run on a Dask cluster (``distributed``, imported when one starts).
- ``heartbeat``: the beat a training process writes, so that other hosts see it alive.

Found by name in ``executor_registry``; add your own with ``executor_registry["name"] =
MyExecutor`` (or ``@executor_registry.register("name")``, or the ``assay.executors`` entry-point
group of an installed package) and ``run_jobs(executor="name")`` uses it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from assay.errors import InvalidArgument
from assay.plugins.registry import ClassRegistry
from assay.search.executors.base import Executor
from assay.search.executors.dask import DaskExecutor
from assay.search.executors.parallel import ParallelExecutor
from assay.search.executors.serial import SerialExecutor

__all__ = [
    "DaskExecutor",
    "Executor",
    "ParallelExecutor",
    "SerialExecutor",
    "executor_for",
    "executor_registry",
    "get_executor",
]

executor_registry: ClassRegistry[Executor] = ClassRegistry(
    Executor, "executor", group="assay.executors"
)
for _name, _class in (
    ("serial", SerialExecutor),
    ("parallel", ParallelExecutor),
    ("dask", DaskExecutor),
):
    executor_registry[_name] = _class


def get_executor(name_or_instance: str | type[Executor] | Executor, **options: Any) -> Executor:
    """An executor from its registered name (or class) and options, or one built already.

    Args:
        name_or_instance: A name in ``executor_registry``, an Executor subclass, or an
            Executor (returned as it is).
        **options: The executor's own arguments (``max_workers``, ``address``, ...,
            ``sampler``, ``metric``, ``split``); not for an instance.

    Raises:
        InvalidArgument: An unknown name (listing the known ones), options the executor
            does not take or values it refuses, or options with an instance.
    """
    if isinstance(name_or_instance, Executor):
        if options:
            raise InvalidArgument(
                f"options {sorted(options)} are for an executor given by name; "
                f"{type(name_or_instance).__name__} was built already."
            )
        return name_or_instance
    executor_class = executor_registry.resolve(name_or_instance)
    return executor_registry.build(executor_class, "", **options)


@contextmanager
def executor_for(
    name_or_instance: str | type[Executor] | Executor, **options: Any
) -> Iterator[Executor]:
    """``get_executor(...)`` for a block, closing at its end an executor built here.

    An instance passed in belongs to the caller and stays open (a Dask cluster it started
    can serve several Queues); one built from a name or class is closed.

    Args:
        name_or_instance: See ``get_executor``.
        **options: See ``get_executor``.
    """
    executor = get_executor(name_or_instance, **options)
    try:
        yield executor
    finally:
        if executor is not name_or_instance:
            executor.close()
