"""A worker process of the parallel executor: ``python -m assay.search.executors.worker QUEUE_ID``.

It runs the claim loop (``serial.train_claimable``) on the Queue until no run is left that
it may take. The parent chooses everything through the environment, set before Python
starts so that numerical libraries read it when they load: the metastore
(``ASSAY_DATABASE_URL``, ``ASSAY_HOME``) and the threads each worker may use
(``ASSAY_WORKER_THREADS`` and the usual ``OMP_NUM_THREADS`` family). Ctrl-C (SIGINT) marks
the run it cuts off as stopped and ends the worker with status 130.
"""

from __future__ import annotations

import os
import sys

#: The variables that cap the threads of BLAS, OpenMP and the deep-learning libraries.
THREAD_VARIABLES = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "BLIS_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
    "NUMEXPR_NUM_THREADS",
    "TF_NUM_INTRAOP_THREADS",
)
INTERRUPTED = 130


def thread_environment(threads: int) -> dict[str, str]:
    """The environment variables that hold a worker to ``threads`` threads."""
    return {"ASSAY_WORKER_THREADS": str(threads)} | dict.fromkeys(THREAD_VARIABLES, str(threads))


def limit_threads(threads: int, library: str) -> None:
    """Cap the thread pools already loaded (threadpoolctl) and torch's, for this process."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=threads)
    if library == "pytorch":
        import torch

        torch.set_num_threads(threads)


def main(argv: list[str]) -> int:
    """Train the runs of Queue ``argv[0]`` that this process can claim; the exit status."""
    from assay.orm.queue import Queue
    from assay.search.executors.serial import train_claimable

    queue = Queue.get_by_id(int(argv[0]))
    limit_threads(int(os.environ.get("ASSAY_WORKER_THREADS", "1")), queue.algorithm.library)
    try:
        train_claimable(queue)
    except KeyboardInterrupt:
        return INTERRUPTED
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
