"""Hyperparameter search: how a Queue's runs are chosen and executed.

``samplers/`` chooses each trial's hyperparameters (004's HyperoptSampler): ``grid``,
``random``, ``tpe`` and ``gp`` by name in ``sampler_registry``; Optuna, behind ``tpe`` and
``gp``, is imported only when such a sampler is built.

``executors/`` holds the ways to execute them (today: one after the other in this process,
``serial``), each over the same unit of work, ``executors.run.execute_run(run_id)``.
"""

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
    "GPSampler",
    "GridSampler",
    "RandomSampler",
    "Sampler",
    "TPESampler",
    "get_sampler",
    "sampler_registry",
]
