"""A worker process of the parallel executor: ``python -m assay.search.executors.worker FD``.

It stays up between batches: for each Queue id it reads from stdin, it runs the claim loop
(``serial.train_claimable``) until no run is left that it may take, then writes ``done`` to
the file descriptor ``FD`` (not stdout, which stays the models' own); it ends at the end of
stdin. The parent chooses everything else through the environment, set before Python starts
so that numerical libraries read it when they load: the metastore (``ASSAY_DATABASE_URL``,
``ASSAY_HOME``) and the threads each worker may use (``ASSAY_WORKER_THREADS`` and the usual
``OMP_NUM_THREADS`` family). Ctrl-C (SIGINT) marks the run it cuts off as stopped and ends
the worker with status 130.
"""

from __future__ import annotations

import os
import sys


def limit_threads(threads: int, library: str) -> None:
    """Cap the thread pools already loaded (threadpoolctl) and torch's, for this process."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=threads)
    if library == "pytorch":
        import torch

        torch.set_num_threads(threads)


def main(argv: list[str]) -> int:
    """Serve Queue ids from stdin, saying ``done`` on fd ``argv[0]`` after each; the exit status."""
    from assay.orm.queue import Queue
    from assay.search.executors.parallel import INTERRUPTED
    from assay.search.executors.serial import train_claimable

    threads = int(os.environ.get("ASSAY_WORKER_THREADS", "1"))
    with os.fdopen(int(argv[0]), "w") as done:
        try:
            for line in sys.stdin:
                queue = Queue.get_by_id(int(line))
                limit_threads(threads, queue.algorithm.library)
                train_claimable(queue)
                done.write("done\n")
                done.flush()
        except KeyboardInterrupt:
            return INTERRUPTED
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
