"""Training through a Queue against the raw library, in the same run.

(a) One PyTorch MLP job (10,000 x 30, 64 hidden units, 30 epochs, batch 64) against the same
hand-written torch loop, which also records the loss of both sets every epoch as the
queued run's history does. (b) 50 tiny scikit-learn jobs (LogisticRegression on iris): the
time per job beyond the fits themselves.
"""

from __future__ import annotations

import time

import numpy as np

from bench.common import report_times, temporary_metastore

ROWS, COLUMNS, HIDDEN, EPOCHS, BATCH = 10_000, 30, 64, 30, 64
TORCH_TARGET = 1.10
JOBS, OVERHEAD_TARGET_MS = 50, 50.0


def mlp_build(features_shape, label_shape, **hp):
    import torch

    return torch.nn.Sequential(
        torch.nn.Linear(features_shape[0], HIDDEN),
        torch.nn.ReLU(),
        torch.nn.Linear(HIDDEN, 1),
        torch.nn.Sigmoid(),
    )


def mlp_train(
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


def raw_torch(
    x_train: np.ndarray, y_train: np.ndarray, x_eval: np.ndarray, y_eval: np.ndarray
) -> None:
    """The hand-written loop: shuffle, batch, step; the loss of both sets after each epoch."""
    import torch

    torch.manual_seed(0)
    model = mlp_build((COLUMNS,), (1,))
    loser = torch.nn.BCELoss()
    optimizer = torch.optim.Adamax(model.parameters(), lr=0.01)
    xt, yt = (
        torch.as_tensor(x_train, dtype=torch.float32),
        torch.as_tensor(y_train, dtype=torch.float32),
    )
    xe, ye = (
        torch.as_tensor(x_eval, dtype=torch.float32),
        torch.as_tensor(y_eval, dtype=torch.float32),
    )
    history = {"loss": [], "val_loss": []}
    for _ in range(EPOCHS):
        model.train()
        for batch in torch.split(torch.randperm(len(xt)), BATCH):
            if len(batch) != BATCH:
                continue
            optimizer.zero_grad()
            loss = loser(model(xt[batch]), yt[batch])
            loss.backward()
            optimizer.step()
        model.eval()
        with torch.no_grad():
            history["loss"].append(float(loser(model(xt), yt)))
            history["val_loss"].append(float(loser(model(xe), ye)))


def torch_case(repeats: int) -> float:
    import pandas as pd

    from assay.orm import Algorithm, Dataset, Feature, Label, Queue, Splitset

    rng = np.random.default_rng(0)
    x = rng.standard_normal((ROWS, COLUMNS)).astype(np.float32)
    y = (x[:, :3].sum(axis=1) > 0).astype(np.int64)
    frame = pd.DataFrame(x, columns=[f"c{i}" for i in range(COLUMNS)]).assign(target=y)
    dataset = Dataset.Tabular.from_df(frame)
    feature = Feature.from_dataset(dataset.id, exclude_columns=["target"])
    label = Label.from_dataset(dataset.id, columns=["target"])
    splitset = Splitset.make([feature.id], label.id, size_test=0.2)
    splitset.cache_samples()
    algorithm = Algorithm.make("pytorch", "classification_binary", mlp_build, mlp_train)
    x_train, y_train = splitset.to_numpy("train")
    x_eval, y_eval = splitset.to_numpy("test")
    raw_times, ours_times = [], []
    for _ in range(repeats):
        started = time.perf_counter()
        raw_torch(x_train, y_train, x_eval, y_eval)
        raw_times.append(time.perf_counter() - started)
        queue = Queue.from_algorithm(algorithm.id, splitset.id, permute_count=0)
        started = time.perf_counter()
        queue.run_jobs(progress=False)
        ours_times.append(time.perf_counter() - started)
    return report_times(
        f"one PyTorch MLP job ({ROWS:,} x {COLUMNS}, {HIDDEN} hidden, {EPOCHS} epochs, batch {BATCH})",
        float(np.median(ours_times)),
        float(np.median(raw_times)),
        TORCH_TARGET,
    )


def lr_build(features_shape, label_shape, **hp):
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=hp["C"], max_iter=1000)


def lr_train(model, loser, optimizer, train_features, train_label, eval_features, eval_label, **hp):
    return model.fit(train_features, train_label.ravel())


def sklearn_case() -> float:
    from sklearn.datasets import load_iris
    from sklearn.linear_model import LogisticRegression

    from assay.orm import Algorithm, Dataset, Feature, Hyperparamset, Label, Queue, Splitset

    frame = load_iris(as_frame=True).frame
    dataset = Dataset.Tabular.from_df(frame)
    feature = Feature.from_dataset(dataset.id, exclude_columns=["target"])
    label = Label.from_dataset(dataset.id, columns=["target"])
    splitset = Splitset.make([feature.id], label.id, size_test=0.2)
    splitset.cache_samples()
    algorithm = Algorithm.make("sklearn", "classification_multi", lr_build, lr_train)
    values = [float(c) for c in np.logspace(-2, 2, JOBS)]
    hyperparamset = Hyperparamset.from_algorithm(algorithm.id, {"C": values})
    queue = Queue.from_algorithm(
        algorithm.id, splitset.id, hyperparamset_id=hyperparamset.id, permute_count=0
    )
    x, y = splitset.to_numpy("train")
    started = time.perf_counter()
    for c in values:
        LogisticRegression(C=c, max_iter=1000).fit(x, y.ravel())
    raw = time.perf_counter() - started
    started = time.perf_counter()
    queue.run_jobs(progress=False)
    ours = time.perf_counter() - started
    overhead_ms = (ours - raw) / JOBS * 1000
    verdict = "ok" if overhead_ms <= OVERHEAD_TARGET_MS else "ABOVE TARGET"
    print(f"\n{JOBS} scikit-learn jobs (LogisticRegression on iris)")
    print(f"  fits alone : {raw:8.3f} s")
    print(f"  queue      : {ours:8.3f} s   ({ours / raw:.1f}x)")
    print(
        f"  overhead   : {overhead_ms:8.1f} ms per job   (target <= {OVERHEAD_TARGET_MS:.0f})  {verdict}"
    )
    return overhead_ms


def run(repeats: int = 3) -> None:
    """Run both comparisons."""
    temporary_metastore()
    torch_case(repeats)
    sklearn_case()


if __name__ == "__main__":
    run()
