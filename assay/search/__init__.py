"""Hyperparameter search: how a Queue's runs are chosen and executed.

``executors/`` holds the ways to execute them (today: one after the other in this process,
``serial``), each over the same unit of work, ``executors.run.execute_run(run_id)``.
"""
