"""SQL statements and sessions of caching and training the iris workload (no timings).

The workload: iris, a StandardScaler FeatureCoder, a Label of raw classes, a Splitset with
test and validation splits and 3 folds, a scikit-learn LogisticRegression with a 2x2
hyperparameter grid (12 runs) and ``permute_count=3``. Printed: the statements and sessions of
``cache_samples()``, of one ``execute_run`` (the first run, the cache already built) grouped by
verb and table so that repeated loads stand out, and of a whole ``run_jobs()`` of 12 runs.

Run it with ``python -m bench sql_counts`` or ``python -m bench.sql_counts``; it is not part of
the default ``python -m bench``.
"""

from __future__ import annotations

from typing import Any

from bench.common import temporary_metastore

GRID = {"C": [0.1, 1.0], "max_iter": [200, 400]}
PERMUTE_COUNT = 3


def lr_build(features_shape, label_shape, **hp):
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=hp["C"], max_iter=hp["max_iter"])


def lr_train(model, loser, optimizer, train_features, train_label, eval_features, eval_label, **hp):
    return model.fit(train_features, train_label.ravel())


def make_workload() -> tuple[Any, Any, Any]:
    """Register iris and make the Splitset, the Algorithm and its Hyperparamset."""
    from sklearn.datasets import load_iris
    from sklearn.preprocessing import StandardScaler

    from assay.orm import Algorithm, Dataset, Feature, FeatureCoder, Hyperparamset, Label, Splitset

    dataset = Dataset.Tabular.from_df(load_iris(as_frame=True).frame)
    feature = Feature.from_dataset(dataset.id, exclude_columns=["target"])
    FeatureCoder.from_feature(feature.id, StandardScaler(), verbose=False)
    label = Label.from_dataset(dataset.id, columns=["target"])
    splitset = Splitset.make(
        [feature.id], label.id, size_test=0.2, size_validation=0.2, fold_count=3
    )
    algorithm = Algorithm.make("sklearn", "classification_multi", lr_build, lr_train)
    hyperparamset = Hyperparamset.from_algorithm(algorithm.id, GRID)
    return splitset, algorithm, hyperparamset


def make_queue(splitset: Any, algorithm: Any, hyperparamset: Any) -> Any:
    """A Queue of the 12 runs (4 combinations x 3 folds)."""
    from assay.orm import Queue

    return Queue.from_algorithm(
        algorithm.id,
        splitset.id,
        hyperparamset_id=hyperparamset.id,
        permute_count=PERMUTE_COUNT,
    )


def measure() -> dict[str, Any]:
    """Count the three calls in a fresh metastore; returns their ``Counted`` by name."""
    from assay.search.executors.run import execute_run
    from tests.sql_counting import count_statements

    splitset, algorithm, hyperparamset = make_workload()
    with count_statements() as cached:
        splitset.cache_samples()
    first = make_queue(splitset, algorithm, hyperparamset)
    run_id = first.runs[0].id
    with count_statements() as one_run:
        status = execute_run(run_id)
    if status != "succeeded":
        raise RuntimeError(f"run {run_id} {status}")
    whole = make_queue(splitset, algorithm, hyperparamset)
    with count_statements() as jobs:
        whole.run_jobs(progress=False)
    return {"cache_samples": cached, "execute_run": one_run, "run_jobs": jobs, "runs": whole}


def run() -> None:
    """Print the counts."""
    temporary_metastore()
    counted = measure()
    runs = counted["runs"].total_runs
    print("\nSQL statements of the iris workload (12 runs, 3 folds, permute_count=3)")
    for name, title in (
        ("cache_samples", "splitset.cache_samples()"),
        ("execute_run", "execute_run(first run)"),
        ("run_jobs", f"queue.run_jobs() ({runs} runs)"),
    ):
        found = counted[name]
        print(f"  {title:34s}: {found.count:5d} statements  {found.sessions:4d} sessions")
    print("\nOne run, by verb and table:")
    print(counted["execute_run"].summary())


if __name__ == "__main__":
    run()
