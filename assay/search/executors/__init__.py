"""Executors of a Queue's runs, each built on ``run.execute_run(run_id)``.

- ``run``: one run, claimed, trained, evaluated and stored; any process may call it.
- ``serial``: every claimable run of a Queue, one after the other, in this process
  (what ``Queue.run_jobs`` does).
"""
