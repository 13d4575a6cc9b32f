"""Hyperparameter search: how a Queue's runs are chosen and executed.

``samplers/`` chooses each trial's hyperparameters (004's HyperoptSampler): ``grid``,
``random``, ``tpe`` and ``gp`` by name in ``sampler_registry``; Optuna, behind ``tpe`` and
``gp``, is imported only when such a sampler is built.

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

__all__ = [
    "DaskExecutor",
    "Executor",
    "GPSampler",
    "GridSampler",
    "ParallelExecutor",
    "RandomSampler",
    "Sampler",
    "SerialExecutor",
    "TPESampler",
    "executor_registry",
    "get_executor",
    "get_sampler",
    "sampler_registry",
]
