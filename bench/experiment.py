"""A whole AIQC-style experiment through assay against the floor of its libraries, per phase.

The workload (issue 20): iris (string species, OrdinalEncoder, StandardScaler, 3 folds) with a
PyTorch MLP 4-12-12-3 over learning_rate x activation (12 runs), and breast cancer
(LabelBinarizer, StandardScaler) with a Keras MLP 30-12-12-1 over learning_rate (2 runs);
``permute_count=3`` on both queues; a fresh metastore. The floor does the same work by hand
with the same libraries: the same splits and scalers fitted per fold, the same models trained
by hand-written loops, the same predictions and sklearn metrics of every split, the same
permutation importance, and a table of the metrics.

Each half runs in its own fresh process, timed from the moment it was spawned (the
interpreter's start and every import count). Inside ``run_jobs`` the time spent in
permutation importance and in scoring the splits is attributed to the importance and metrics
phases (by timing those two functions), the rest to training.

``python -m bench experiment`` runs both halves ``REPEATS`` times, alternating, and prints the
medians, each half's totals, and the load average of the machine. Both halves share the
environment: on a busy machine with few cores, ``OMP_NUM_THREADS=1`` keeps PyTorch's thread
pool from spinning against other processes (small models gain nothing from more threads).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from typing import Any

import numpy as np

PHASES = ["import", "register", "preprocess and split", "train", "importance", "metrics"]
TARGET = 1.2
REPEATS = 3
EPOCHS, BATCH, PERMUTE_COUNT = 30, 8, 3
IRIS_GRID = {"learning_rate": [0.01, 0.001], "activation": ["relu", "tanh"]}
CANCER_GRID = {"learning_rate": [0.01, 0.001]}
SPAWNED = "ASSAY_BENCH_SPAWNED"


class Clock:
    """Phase times of one half, from the process's spawn; time can be moved between phases."""

    def __init__(self) -> None:
        self.last = float(os.environ.get(SPAWNED, time.time()))
        self.phases = dict.fromkeys(PHASES, 0.0)

    def lap(self, phase: str) -> None:
        """Charge the time since the last lap to ``phase``."""
        now = time.time()
        self.phases[phase] += now - self.last
        self.last = now

    def move(self, seconds: float, source: str, target: str) -> None:
        """Charge ``seconds`` already counted under ``source`` to ``target`` instead."""
        self.phases[source] -= seconds
        self.phases[target] += seconds


# -- the data, as both halves start from it -----------------------------------------------------


def iris_frame() -> Any:
    from sklearn.datasets import load_iris

    bunch = load_iris(as_frame=True)
    frame = bunch.frame.drop(columns="target")
    frame["species"] = bunch.target_names[bunch.target.to_numpy()]
    return frame


def cancer_frame() -> Any:
    from sklearn.datasets import load_breast_cancer

    frame = load_breast_cancer(as_frame=True).frame
    frame["diagnosis"] = np.where(frame.pop("target") == 1, "benign", "malignant")
    return frame


# -- the models, shared by both halves -------------------------------------------------------------


def iris_build(features_shape, label_shape, **hp):
    import torch

    activation = {"relu": torch.nn.ReLU, "tanh": torch.nn.Tanh}[hp["activation"]]
    return torch.nn.Sequential(
        torch.nn.Linear(features_shape[0], 12),
        activation(),
        torch.nn.Linear(12, 12),
        activation(),
        torch.nn.Linear(12, label_shape[0]),
        torch.nn.Softmax(dim=1),
    )


def iris_lose(**hp):
    import torch

    return torch.nn.CrossEntropyLoss()


def iris_optimize(model, **hp):
    import torch

    return torch.optim.Adamax(model.parameters(), lr=hp["learning_rate"])


def iris_train(
    model, loser, optimizer, train_features, train_label, eval_features, eval_label, **hp
):
    from assay.utils.pytorch import fit

    return fit(
        model,
        loser,
        optimizer,
        train_features,
        train_label,
        eval_features,
        eval_label,
        epochs=EPOCHS,
        batch_size=BATCH,
    )


def cancer_build(features_shape, label_shape, **hp):
    import keras

    return keras.Sequential(
        [
            keras.Input(shape=features_shape),
            keras.layers.Dense(12, activation="relu"),
            keras.layers.Dense(12, activation="relu"),
            keras.layers.Dense(1, activation="sigmoid"),
        ]
    )


def cancer_lose(**hp):
    import keras

    return keras.losses.BinaryCrossentropy()


def cancer_optimize(**hp):
    import keras

    return keras.optimizers.Adamax(learning_rate=hp["learning_rate"])


def cancer_train(
    model, loser, optimizer, train_features, train_label, eval_features, eval_label, **hp
):
    model.compile(loss=loser, optimizer=optimizer)
    model.fit(
        train_features,
        train_label,
        validation_data=(eval_features, eval_label),
        epochs=EPOCHS,
        batch_size=BATCH,
        verbose=0,
    )
    return model


def heavy_imports() -> None:
    """What both halves import: the libraries the workload uses."""
    import keras  # noqa: F401
    import pandas  # noqa: F401
    import sklearn.datasets
    import sklearn.metrics
    import sklearn.model_selection
    import sklearn.preprocessing  # noqa: F401
    import torch  # noqa: F401


# -- assay's half -----------------------------------------------------------------------------------


def assay_half() -> dict[str, float]:
    """The workload through assay's low-level API, from a fresh metastore."""
    import tempfile

    os.environ["ASSAY_HOME"] = tempfile.mkdtemp(prefix="assay-bench-")
    os.environ.pop("ASSAY_DATABASE_URL", None)
    clock = Clock()
    heavy_imports()
    from sklearn.preprocessing import LabelBinarizer, OrdinalEncoder, StandardScaler

    from assay.orm import (
        Algorithm,
        Dataset,
        Feature,
        FeatureCoder,
        Hyperparamset,
        Label,
        LabelCoder,
        Queue,
        Splitset,
    )

    clock.lap("import")

    registered = {}
    for frame, column in ((iris_frame(), "species"), (cancer_frame(), "diagnosis")):
        dataset = Dataset.Tabular.from_df(frame)
        feature = Feature.from_dataset(dataset.id, exclude_columns=[column])
        label = Label.from_dataset(dataset.id, columns=[column])
        registered[column] = (feature, label)
    clock.lap("register")

    splitsets = {}
    for column, encoder, folds in (
        ("species", OrdinalEncoder(), 3),
        ("diagnosis", LabelBinarizer(), None),
    ):
        feature, label = registered[column]
        FeatureCoder.from_feature(feature.id, StandardScaler(), verbose=False)
        LabelCoder.from_label(label.id, encoder)
        splitset = Splitset.make(
            [feature.id], label.id, size_test=0.2, size_validation=0.2, fold_count=folds
        )
        splitset.cache_samples()
        splitsets[column] = splitset
    clock.lap("preprocess and split")

    spent = _time_functions(
        importance=("assay.evaluate.importance", "importance_by_feature"),
        metrics=("assay.evaluate.predict", "evaluate_splits"),
    )
    queues = []
    for column, library, analysis, fns, grid in (
        (
            "species",
            "pytorch",
            "classification_multi",
            (iris_build, iris_train, iris_lose, iris_optimize),
            IRIS_GRID,
        ),
        (
            "diagnosis",
            "keras",
            "classification_binary",
            (cancer_build, cancer_train, cancer_lose, cancer_optimize),
            CANCER_GRID,
        ),
    ):
        build, train, lose, optimize = fns
        algorithm = Algorithm.make(
            library, analysis, build, train, fn_lose=lose, fn_optimize=optimize
        )
        hyperparamset = Hyperparamset.from_algorithm(algorithm.id, grid)
        queue = Queue.from_algorithm(
            algorithm.id,
            splitsets[column].id,
            hyperparamset_id=hyperparamset.id,
            permute_count=PERMUTE_COUNT,
        )
        queue.run_jobs(progress=False)
        queues.append(queue)
    clock.lap("train")
    clock.move(spent["importance"], "train", "importance")
    clock.move(spent["metrics"], "train", "metrics")

    tables = [queue.metrics_df() for queue in queues]
    assert sum(len(table) for table in tables) == 12 * 4 + 2 * 3, [len(t) for t in tables]
    clock.lap("metrics")
    return clock.phases


def _time_functions(**targets: tuple[str, str]) -> dict[str, float]:
    """Wrap module functions so the seconds spent in each are added up under its name."""
    import functools
    import importlib

    spent = dict.fromkeys(targets, 0.0)
    for name, (module_name, function_name) in targets.items():
        module = importlib.import_module(module_name)
        original = getattr(module, function_name)

        @functools.wraps(original)
        def timed(*args, __original=original, __name=name, **kwargs):
            started = time.time()
            try:
                return __original(*args, **kwargs)
            finally:
                spent[__name] += time.time() - started

        setattr(module, function_name, timed)
    return spent


# -- the floor -----------------------------------------------------------------------------------


def floor_half() -> dict[str, float]:
    """The same work written by hand against torch, keras and scikit-learn."""
    clock = Clock()
    heavy_imports()
    import pandas as pd
    from sklearn.model_selection import StratifiedKFold, train_test_split
    from sklearn.preprocessing import LabelBinarizer, OrdinalEncoder, StandardScaler

    clock.lap("import")

    iris, cancer = iris_frame(), cancer_frame()
    iris_x, iris_y = iris.drop(columns="species").to_numpy(), iris[["species"]].to_numpy()
    cancer_x = cancer.drop(columns="diagnosis").to_numpy()
    cancer_y = cancer[["diagnosis"]].to_numpy()
    clock.lap("register")

    def split(y: np.ndarray) -> dict[str, np.ndarray]:
        index = np.arange(len(y))
        rest, test = train_test_split(index, test_size=0.2, stratify=y, random_state=0)
        train, validation = train_test_split(rest, test_size=0.25, stratify=y[rest], random_state=0)
        return {"train": train, "validation": validation, "test": test}

    def prepare(x, y, splits, fit_on, encoder):
        scaler = StandardScaler().fit(x[splits[fit_on]])
        encoder = encoder.fit(
            y[splits[fit_on]].ravel() if isinstance(encoder, LabelBinarizer) else y[splits[fit_on]]
        )
        out = {}
        for name, rows in splits.items():
            label = y[rows].ravel() if isinstance(encoder, LabelBinarizer) else y[rows]
            out[name] = (
                scaler.transform(x[rows]).astype(np.float32),
                encoder.transform(label).astype(np.float32),
            )
        return out

    iris_splits = split(iris_y.ravel())
    iris_data = []  # one dict of split arrays per fold
    folds = StratifiedKFold(n_splits=3, shuffle=True, random_state=0)
    train_rows = iris_splits["train"]
    for fold_train, fold_validation in folds.split(train_rows, iris_y[train_rows].ravel()):
        splits = {
            "folds_train_combined": train_rows[fold_train],
            "fold_validation": train_rows[fold_validation],
            "validation": iris_splits["validation"],
            "test": iris_splits["test"],
        }
        iris_data.append(prepare(iris_x, iris_y, splits, "folds_train_combined", OrdinalEncoder()))
    cancer_data = prepare(cancer_x, cancer_y, split(cancer_y.ravel()), "train", LabelBinarizer())
    clock.lap("preprocess and split")

    trained = []  # (kind, model, loss function, data, train key)
    for lr in IRIS_GRID["learning_rate"]:
        for activation in IRIS_GRID["activation"]:
            for data in iris_data:
                model = torch_fit(data, lr, activation)
                trained.append(("torch", model, data, "folds_train_combined"))
    for lr in CANCER_GRID["learning_rate"]:
        trained.append(("keras", keras_fit(cancer_data, lr), cancer_data, "train"))
    clock.lap("train")

    for kind, model, data, train_key in trained:
        permutation_importance(kind, model, *data[train_key])
    clock.lap("importance")

    rows = []
    for run, (kind, model, data, _) in enumerate(trained):
        for name, (x, y) in data.items():
            rows.append({"run": run, "split": name, **split_metrics(kind, model, x, y)})
    table = pd.DataFrame(rows)
    assert len(table) == 12 * 4 + 2 * 3
    clock.lap("metrics")
    return clock.phases


def torch_fit(data, lr: float, activation: str) -> Any:
    """The loop ``assay.utils.pytorch.fit`` runs: shuffle, batch, step; both losses per epoch."""
    import torch

    x, y = (torch.as_tensor(a) for a in data["folds_train_combined"])
    xe, ye = (torch.as_tensor(a) for a in data["fold_validation"])
    y, ye = y.long().view(-1), ye.long().view(-1)
    model = iris_build((x.shape[1],), (3,), activation=activation)
    loser = torch.nn.CrossEntropyLoss()
    optimizer = torch.optim.Adamax(model.parameters(), lr=lr)
    history = {"loss": [], "val_loss": []}
    for _ in range(EPOCHS):
        model.train()
        for batch in torch.split(torch.randperm(len(x)), BATCH):
            if len(batch) != BATCH:
                continue
            optimizer.zero_grad()
            loss = loser(model(x[batch]), y[batch])
            loss.backward()
            optimizer.step()
        model.eval()
        with torch.no_grad():
            history["loss"].append(float(loser(model(x), y)))
            history["val_loss"].append(float(loser(model(xe), ye)))
    return model


def keras_fit(data, lr: float) -> Any:
    model = cancer_build((data["train"][0].shape[1],), (1,))
    cancer_train(
        model,
        cancer_lose(),
        cancer_optimize(learning_rate=lr),
        *data["train"],
        *data["validation"],
    )
    return model


def probabilities_and_loss(kind: str, model: Any, x: np.ndarray, y: np.ndarray):
    """The model's class probabilities of every sample, in one call, and its loss on them."""
    if kind == "torch":
        import torch

        with torch.no_grad():
            output = model(torch.as_tensor(x))
            loss = float(
                torch.nn.functional.cross_entropy(output, torch.as_tensor(y).long().view(-1))
            )
        return output.numpy(), loss
    import keras

    output = np.asarray(model.predict(x, verbose=0))
    loss = float(keras.losses.BinaryCrossentropy()(y, output))
    return output, loss


def permutation_importance(kind: str, model: Any, x: np.ndarray, y: np.ndarray) -> dict:
    """Training loss minus the median loss over shuffles, for each column."""
    rng = np.random.default_rng(0)
    baseline = probabilities_and_loss(kind, model, x, y)[1]
    impacts = {}
    for column in range(x.shape[1]):
        shuffled = x.copy()
        losses = []
        for _ in range(PERMUTE_COUNT):
            shuffled[:, column] = x[rng.permutation(len(x)), column]
            losses.append(probabilities_and_loss(kind, model, shuffled, y)[1])
        impacts[column] = baseline - float(np.median(losses))
    return impacts


def split_metrics(kind: str, model: Any, x: np.ndarray, y: np.ndarray) -> dict[str, float]:
    """The metrics assay computes for a split: the same scikit-learn calls, and the loss."""
    from sklearn import metrics as sk

    probabilities, loss = probabilities_and_loss(kind, model, x, y)
    truth = y.reshape(-1).astype(int)
    if kind == "torch":
        predicted, matrix, labels = probabilities.argmax(axis=1), probabilities, [0, 1, 2]
    else:
        positive = probabilities.reshape(-1)
        predicted, matrix, labels = (positive > 0.5).astype(int), positive, [0, 1]
    values = {"accuracy": sk.accuracy_score(truth, predicted), "loss": loss}
    for average in ("macro", "micro", "weighted"):
        p, r, f, _ = sk.precision_recall_fscore_support(
            truth, predicted, labels=labels, average=average, zero_division=0
        )
        values.update({f"precision_{average}": p, f"recall_{average}": r, f"f1_{average}": f})
    if kind == "torch":
        values["roc_auc"] = sk.roc_auc_score(truth, matrix, multi_class="ovr", labels=labels)
        values["log_loss"] = sk.log_loss(truth, matrix, labels=labels)
    else:
        values["roc_auc"] = sk.roc_auc_score(truth, matrix)
        values["log_loss"] = sk.log_loss(truth, np.column_stack([1 - matrix, matrix]))
    return values


# -- running both ------------------------------------------------------------------------------


def half(side: str) -> dict[str, float]:
    """Run one half in a fresh process; its phase times."""
    env = {**os.environ, SPAWNED: repr(time.time())}
    out = subprocess.run(
        [sys.executable, "-m", "bench.experiment", side],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def keras_backend() -> str:
    """The backend assay picks for Keras here; the floor runs on the same one."""
    from assay.train.adapters.keras import choose_backend

    return choose_backend()


def run(repeats: int = REPEATS) -> float:
    """Run both halves ``repeats`` times, alternating; print the median per phase and ratios."""
    os.environ["KERAS_BACKEND"] = keras_backend()
    runs: dict[str, list[dict[str, float]]] = {"floor": [], "assay": []}
    for _ in range(repeats):
        for side in runs:
            runs[side].append(half(side))
    medians = {
        side: {phase: statistics.median(r[phase] for r in results) for phase in PHASES}
        for side, results in runs.items()
    }
    totals = {side: [sum(r.values()) for r in results] for side, results in runs.items()}
    print(
        f"\nexperiment: iris PyTorch 12 runs + breast cancer Keras ({os.environ['KERAS_BACKEND']}) "
        f"2 runs, permute_count={PERMUTE_COUNT}; median of {repeats} fresh processes each"
    )
    print(f"  {'phase':<22}{'floor s':>10}{'assay s':>10}{'ratio':>8}")
    for phase in PHASES:
        floor, ours = medians["floor"][phase], medians["assay"][phase]
        ratio = ours / floor if floor > 0 else float("inf")
        print(f"  {phase:<22}{floor:10.3f}{ours:10.3f}{ratio:8.2f}")
    floor, ours = statistics.median(totals["floor"]), statistics.median(totals["assay"])
    ratio = ours / floor
    verdict = "ok" if ratio <= TARGET else "ABOVE TARGET"
    print(f"  {'total':<22}{floor:10.3f}{ours:10.3f}{ratio:8.2f}   (target <= {TARGET})  {verdict}")
    for side in runs:
        spread = ", ".join(f"{t:.2f}" for t in totals[side])
        print(f"  {side} totals (s): {spread}")
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"  load average {load} on {os.cpu_count()} cores")
    return ratio


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] in ("assay", "floor"):
        phases = assay_half() if sys.argv[1] == "assay" else floor_half()
        print(json.dumps(phases))
    else:
        run()
