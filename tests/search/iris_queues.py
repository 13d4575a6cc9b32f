"""Small iris Queues for the executor tests: a deterministic grid, optionally slow to train."""

from __future__ import annotations

import os
import time

from sklearn.datasets import load_iris

from assay.orm import Algorithm, Dataset, Feature, Hyperparamset, Label, Queue, Splitset

C_GRID = [0.1, 1.0, 10.0]


def logistic_build(features_shape, label_shape, **hp):
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=hp["C"], max_iter=1000)


def logistic_train(
    model, loser, optimizer, train_features, train_label, eval_features, eval_label, **hp
):
    """Fit deterministically (lbfgs); ``hp['sleep']`` seconds first, to be caught mid-run.

    The model keeps what its process allowed: its BLAS and OpenMP pools' threads and pid.
    """
    from threadpoolctl import threadpool_info

    time.sleep(hp.get("sleep", 0.0))
    model.fit(train_features, train_label.ravel())
    model.pool_threads_ = sorted({pool["num_threads"] for pool in threadpool_info()})
    model.pid_ = os.getpid()
    return model


def iris_splitset() -> Splitset:
    frame = load_iris(as_frame=True).frame
    dataset = Dataset.Tabular.from_df(frame)
    feature = Feature.from_dataset(dataset.id, exclude_columns=["target"])
    label = Label.from_dataset(dataset.id, columns=["target"])
    return Splitset.make([feature.id], label.id, size_test=0.2, size_validation=0.2)


def iris_queues(count: int = 1, repeat_count: int = 1, sleep: float = 0.0, **train) -> list[Queue]:
    """``count`` Queues of one Algorithm and grid on one Splitset: the same runs, trained apart.

    Args:
        count: How many Queues.
        repeat_count: Runs per combination.
        sleep: Seconds each fit waits first.
        **train: More hyperparameter lists.
    """
    splitset = iris_splitset()
    algorithm = Algorithm.make("sklearn", "classification_multi", logistic_build, logistic_train)
    grid = {"C": C_GRID, "sleep": [sleep], **train}
    hyperparamset = Hyperparamset.from_algorithm(algorithm.id, grid)
    return [
        Queue.from_algorithm(
            algorithm.id,
            splitset.id,
            repeat_count=repeat_count,
            hyperparamset_id=hyperparamset.id,
            permute_count=0,
        )
        for _ in range(count)
    ]


def metrics_by_combination(queue: Queue):
    """The queue's metrics per (combination, repeat, split), without the ids of its own rows."""
    frame = Queue.get_by_id(queue.id).metrics_df()
    frame = frame.drop(columns=["predictor_id", "job_id", "fold_id"])
    return frame.sort_values(["hyperparamcombo_id", "repeat_index", "split"]).reset_index(drop=True)


def assert_trained_once(queue: Queue) -> None:
    """Every run succeeded, and there is exactly one Predictor per run."""
    queue = Queue.get_by_id(queue.id)
    runs = queue.runs
    assert {run.status for run in runs} == {"succeeded"}, [(r.status, r.message) for r in runs]
    assert queue.runs_completed == queue.total_runs == len(runs)
    predictors = queue.predictors
    assert len(predictors) == queue.total_runs
    assert sorted(p.run_id for p in predictors) == sorted(run.id for run in runs)
