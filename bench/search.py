"""A search through assay against the same search in Optuna directly, in the same run.

(a) Per-trial overhead: 200 trials of a scikit-learn DummyClassifier (random sampler, same
seed) on iris, with the metastore on SQLite. assay's time minus the fits alone, per trial,
next to Optuna's own per-trial overhead with its RDB storage on a SQLite file for the same
objective (fit, then the accuracy on the validation samples) minus the same fits. assay does
more per trial than Optuna's study (it stores each model, predicts every split and computes
every metric of each); the split of assay's overhead between the search loop and the runs
it trains says where the time goes.

(b) The same 40-trial TPE search (same seed, same space, same objective: the validation log
loss of a LogisticRegression) through assay and through Optuna directly: both best scores.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import numpy as np

from bench.common import temporary_metastore

TRIALS, OVERHEAD_TARGET_MS = 200, 10.0
TPE_TRIALS, SEED = 40, 0
DUMMY_SPACE = {
    "strategy": {"type": "category", "values": ["most_frequent", "prior", "stratified", "uniform"]},
    "random_state": {"type": "int", "low": 0, "high": 1000},
}
TPE_SPACE = {
    "C": {"type": "float", "low": 1e-4, "high": 100.0, "scale": "log"},
    "tol": {"type": "float", "low": 1e-5, "high": 1e-1, "scale": "log"},
}


def dummy_build(features_shape, label_shape, **hp):
    from sklearn.dummy import DummyClassifier

    return DummyClassifier(strategy=hp["strategy"], random_state=hp["random_state"])


def logistic_build(features_shape, label_shape, **hp):
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=hp["C"], tol=hp["tol"], max_iter=1000)


def fit(model, loser, optimizer, train_features, train_label, eval_features, eval_label, **hp):
    return model.fit(train_features, train_label.ravel())


def iris_splitset():
    """Iris with train, validation and test splits, cached."""
    from sklearn.datasets import load_iris

    from assay.orm import Dataset, Feature, Label, Splitset

    frame = load_iris(as_frame=True).frame
    dataset = Dataset.Tabular.from_df(frame)
    feature = Feature.from_dataset(dataset.id, exclude_columns=["target"])
    label = Label.from_dataset(dataset.id, columns=["target"])
    splitset = Splitset.make([feature.id], label.id, size_test=0.2, size_validation=0.2)
    splitset.cache_samples()
    return splitset


class TimedExecutor:
    """The in-process executor, timing the runs it trains (the rest is the search loop's)."""

    workers = 1

    def __init__(self) -> None:
        from assay.search.executors import SerialExecutor

        self.inner = SerialExecutor()
        self.seconds = 0.0

    def run_runs(self, queue, progress=True):
        started = time.perf_counter()
        try:
            return self.inner.run_runs(queue, progress)
        finally:
            self.seconds += time.perf_counter() - started


def assay_search(splitset, build, space, sampler: str, n_trials: int, metric: str, goal: str):
    """The search through assay; (seconds, seconds training runs, the Queue)."""
    from assay.orm import Algorithm, Queue
    from assay.search import Search
    from assay.search.loop import run_search

    algorithm = Algorithm.make("sklearn", "classification_multi", build, fit)
    search = Search(sampler, space, goal=goal, metric=metric, n_trials=n_trials, seed=SEED)
    queue = Queue.from_algorithm(algorithm.id, splitset.id, permute_count=0, search=search)
    executor = TimedExecutor()
    started = time.perf_counter()
    run_search(queue, executor, progress=False)  # what queue.run_jobs() does
    return time.perf_counter() - started, executor.seconds, queue


def optuna_study(objective, sampler, n_trials: int, direction: str, storage: str | None):
    """The same search in Optuna directly; (seconds, the study)."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(direction=direction, sampler=sampler, storage=storage)
    started = time.perf_counter()
    study.optimize(objective, n_trials=n_trials)
    return time.perf_counter() - started, study


def overhead_case(splitset) -> float:
    """(a): per-trial overhead of assay and of Optuna (RDB on SQLite) beyond the fits."""
    import optuna
    from sklearn.dummy import DummyClassifier

    x, y = splitset.to_numpy("train")
    xv, yv = splitset.to_numpy("validation")
    y, yv = y.ravel(), yv.ravel()
    strategies = DUMMY_SPACE["strategy"]["values"]

    def objective(trial):
        model = DummyClassifier(
            strategy=trial.suggest_categorical("strategy", strategies),
            random_state=trial.suggest_int("random_state", 0, 1000),
        ).fit(x, y)
        return float((model.predict(xv) == yv).mean())

    ours, in_runs, queue = assay_search(
        splitset, dummy_build, DUMMY_SPACE, "random", TRIALS, "accuracy", "maximize"
    )
    points = [trial.parameters for trial in queue.trials()]
    started = time.perf_counter()
    for point in points:
        model = DummyClassifier(**point).fit(x, y)
        float((model.predict(xv) == yv).mean())
    fits = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as folder:
        storage = f"sqlite:///{Path(folder) / 'optuna.sqlite3'}"
        sampler = optuna.samplers.RandomSampler(seed=SEED)
        theirs, _ = optuna_study(objective, sampler, TRIALS, "maximize", storage)
    ours_ms = (ours - fits) / TRIALS * 1000
    theirs_ms = (theirs - fits) / TRIALS * 1000
    verdict = "ok" if ours_ms <= OVERHEAD_TARGET_MS and ours_ms <= theirs_ms else "ABOVE TARGET"
    print(f"\n{TRIALS} trials of a DummyClassifier search on iris (random sampler, SQLite)")
    print(f"  fits alone        : {fits:8.3f} s")
    print(f"  optuna (RDB)      : {theirs:8.3f} s   overhead {theirs_ms:7.1f} ms per trial")
    print(f"  assay             : {ours:8.3f} s   overhead {ours_ms:7.1f} ms per trial")
    loop_ms = (ours - in_runs) / TRIALS * 1000
    runs_ms = (in_runs - fits) / TRIALS * 1000
    print(f"    of which the search loop (sample, add, score, tell) : {loop_ms:7.1f} ms per trial")
    print(f"    of which each run (claim, load, evaluate, store)    : {runs_ms:7.1f} ms per trial")
    print(
        f"  ratio             : {ours_ms / theirs_ms:8.2f}   "
        f"(target <= {OVERHEAD_TARGET_MS:.0f} ms and <= optuna's)  {verdict}"
    )
    return ours_ms / theirs_ms


def tpe_case(splitset) -> float:
    """(b): the best validation log loss of the same TPE search, through assay and Optuna."""
    import optuna
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import log_loss

    x, y = splitset.to_numpy("train")
    xv, yv = splitset.to_numpy("validation")
    y, yv = y.ravel(), yv.ravel()

    def objective(trial):
        model = LogisticRegression(
            C=trial.suggest_float("C", 1e-4, 100.0, log=True),
            tol=trial.suggest_float("tol", 1e-5, 1e-1, log=True),
            max_iter=1000,
        ).fit(x, y)
        return float(log_loss(yv, model.predict_proba(xv), labels=[0, 1, 2]))

    ours_seconds, _, queue = assay_search(
        splitset, logistic_build, TPE_SPACE, "tpe", TPE_TRIALS, "log_loss", "minimize"
    )
    ours = min(trial.score for trial in queue.trials() if trial.score is not None)
    sampler = optuna.samplers.TPESampler(seed=SEED)
    theirs_seconds, study = optuna_study(objective, sampler, TPE_TRIALS, "minimize", None)
    theirs = study.best_value
    print(f"\n{TPE_TRIALS}-trial TPE search, LogisticRegression on iris (validation log loss)")
    print(f"  optuna directly : best {theirs:.4f}   ({theirs_seconds:6.2f} s)")
    print(f"  assay           : best {ours:.4f}   ({ours_seconds:6.2f} s)")
    print(f"  ratio           : {ours / theirs:8.3f}   (equal within noise: near 1)")
    return ours / theirs


def run() -> None:
    """Run both comparisons."""
    temporary_metastore()
    np.random.seed(SEED)
    splitset = iris_splitset()
    overhead_case(splitset)
    tpe_case(splitset)


if __name__ == "__main__":
    run()
