"""Hyperparameter search: how a Queue's runs are chosen and executed.

``samplers/`` chooses each trial's hyperparameters (004's HyperoptSampler): ``grid``,
``random``, ``tpe`` and ``gp`` by name in ``sampler_registry``; Optuna, behind ``tpe`` and
``gp``, is imported only when such a sampler is built.

``Search`` (``spec``) is what a user asks for: ``Queue.from_algorithm(..., search=Search(...))``
records it, and ``Queue.run_jobs`` runs it with ``loop.run_search``: sample a batch, add its
trials, train them through an executor, score them, tell the sampler, until done. ``plots``
draws a search's history, parallel coordinates and parameter importance.

``executors/`` holds the ways to train them (004's HyperoptExecutor): ``serial`` (one after
the other in this process), ``parallel`` (worker processes of this machine) and ``dask`` (a
Dask cluster) by name in ``executor_registry``, each over the same unit of work,
``executors.run.execute_run(run_id)``.
"""

from assay.search.executors import (
    DaskExecutor,
    Executor,
    ParallelExecutor,
    SerialExecutor,
    executor_registry,
    get_executor,
)
from assay.search.samplers import (
    GPSampler,
    GridSampler,
    RandomSampler,
    Sampler,
    TPESampler,
    get_sampler,
    sampler_registry,
)
from assay.search.spec import Search

__all__ = [
    "DaskExecutor",
    "Executor",
    "GPSampler",
    "GridSampler",
    "ParallelExecutor",
    "RandomSampler",
    "Sampler",
    "Search",
    "SerialExecutor",
    "TPESampler",
    "executor_registry",
    "get_executor",
    "get_sampler",
    "sampler_registry",
]
