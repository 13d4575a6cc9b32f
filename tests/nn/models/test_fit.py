"""Models built from blocks learn real data end to end, in a hand-written training loop."""

from __future__ import annotations

from functools import partial

import numpy as np
import pandas as pd
import torch
from sklearn.datasets import load_breast_cancer, load_wine, make_friedman1
from sklearn.preprocessing import StandardScaler

from assay.nn.data import FoldYielder, df2foldfile
from assay.nn.models import (
    CatEmbedder,
    FullyConnected,
    ModelBuilder,
    MultiHead,
    RecurrentHead,
)


def tensors(*arrays):
    return [torch.as_tensor(np.asarray(a), dtype=torch.float32) for a in arrays]


def train(model, opt, loss, x, y, w=None, steps=300, bs=64):
    """Plain mini-batch SGD steps over shuffled batches; returns the first and last epoch's loss."""
    n = len(y)
    generator = torch.Generator().manual_seed(0)
    losses = []
    model.train()
    for _ in range(steps):
        idx = torch.randint(0, n, (bs,), generator=generator)
        xb = tuple(part[idx] for part in x) if isinstance(x, tuple) else x[idx]
        opt.zero_grad()
        value = loss(model(xb), y[idx], None if w is None else w[idx])
        value.backward()
        opt.step()
        losses.append(value.item())
    return np.mean(losses[:20]), np.mean(losses[-20:])


def test_binary_classifier_learns_breast_cancer_from_a_fold_file(tmp_path):
    data = load_breast_cancer(as_frame=True)
    df = data.frame
    cont = list(data.feature_names[:20])
    df[cont] = StandardScaler().fit_transform(df[cont])
    df["size_band"] = pd.qcut(data.frame["worst area"], 6, labels=False)  # a categorical input
    path = df2foldfile(
        df, 5, cont, ["size_band"], "target", tmp_path / "bc.h5", "float32", strat_key="target"
    )
    fy = FoldYielder(path)
    builder = ModelBuilder(
        "classification",
        fy.cont_feats,
        1,
        cat_embedder=CatEmbedder.from_fy(fy),
        body=partial(FullyConnected, depth=2, width=32, act="swish"),
        opt_args={"opt": "adam", "lr": 3e-3},
    )
    model, opt, loss = builder.get_model()
    train_folds = [fy.get_fold(i) for i in range(4)]
    x, y = tensors(
        np.concatenate([f["inputs"] for f in train_folds]),
        np.concatenate([f["targets"] for f in train_folds]),
    )
    first, last = train(model, opt, loss, x, y, steps=300)
    assert last < first / 5
    held_out = fy.get_fold(4)
    model.eval()
    with torch.no_grad():
        prob = model.to_predictions(model(tensors(held_out["inputs"])[0])).numpy().ravel()
    accuracy = ((prob > 0.5) == held_out["targets"].ravel()).mean()
    assert accuracy > 0.9
    fy.close()


def test_multiclass_residual_body_learns_wine():
    x, y = load_wine(return_X_y=True)
    x = StandardScaler().fit_transform(x)
    order = np.random.default_rng(0).permutation(len(y))
    train_idx, test_idx = order[:130], order[130:]
    names = [f"f{i}" for i in range(x.shape[1])]
    builder = ModelBuilder(
        "multiclass",
        names,
        3,
        model_args={"body": {"depth": 3, "width": 24, "res": True, "bn": True}},
        opt_args={"lr": 3e-3},
    )
    model, opt, loss = builder.get_model()
    xt, yt = tensors(x[train_idx], y[train_idx].reshape(-1, 1))
    first, last = train(model, opt, loss, xt, yt, steps=200, bs=32)
    assert last < first / 5
    model.eval()
    with torch.no_grad():
        prob = model.to_predictions(model(tensors(x[test_idx])[0]))
    assert torch.allclose(prob.sum(1), torch.ones(len(test_idx)))
    assert (prob.argmax(1).numpy() == y[test_idx]).mean() > 0.9


def test_weighted_regression_with_y_range_learns_friedman():
    x, y = make_friedman1(n_samples=1500, noise=0.3, random_state=0)
    y = y.reshape(-1, 1)
    weights = np.where(x[:, 0] > 0.5, 2.0, 0.5)  # weights change what the loss counts
    builder = ModelBuilder(
        "regressor",
        [f"x{i}" for i in range(10)],
        1,
        model_args={
            "body": {"depth": 3, "width": 32, "dense": True},
            "tail": {"y_range": (y.min() * 0.8, y.max() * 1.2)},
        },
        opt_args={"opt": "adamw", "lr": 5e-3, "weight_decay": 1e-4},
    )
    model, opt, loss = builder.get_model()
    xt, yt, wt = tensors(x[:1200], y[:1200], weights[:1200])
    first, last = train(model, opt, loss, xt, yt, wt, steps=400)
    assert last < first / 5
    model.eval()
    with torch.no_grad():
        pred = model(tensors(x[1200:])[0]).numpy()
    mse = ((pred - y[1200:]) ** 2).mean()
    assert mse < 0.3 * y[1200:].var()


def test_multi_head_with_an_lstm_learns_from_the_order_of_a_sequence():
    rng = np.random.default_rng(0)
    n, steps = 2000, 6
    sequence = rng.normal(size=(n, steps, 2)).astype(np.float32)
    flat = rng.normal(size=(n, 3)).astype(np.float32)
    # the label needs the order: is the first feature rising from the first step to the last?
    rising = sequence[:, -1, 0] > sequence[:, 0, 0]
    y = (rising ^ (flat[:, 0] > 1.0)).astype(np.float32).reshape(-1, 1)
    builder = ModelBuilder(
        "classification",
        ["a", "b", "c"],
        1,
        head=partial(
            MultiHead,
            matrix_head=partial(
                RecurrentHead,
                vecs=[f"t{i}" for i in range(steps)],
                feats_per_vec=["u", "v"],
                cell="gru",
                width=16,
            ),
        ),
        body=partial(FullyConnected, depth=2, width=32),
        model_args={"tail": {"logits": True}},
        opt_args={"lr": 5e-3},
    )
    model, opt, loss = builder.get_model()
    x = (torch.as_tensor(flat[:1600]), torch.as_tensor(sequence[:1600]))
    first, last = train(model, opt, loss, x, torch.as_tensor(y[:1600]), steps=400)
    assert last < first / 3
    model.eval()
    with torch.no_grad():
        held_out = (torch.as_tensor(flat[1600:]), torch.as_tensor(sequence[1600:]))
        prob = model.to_predictions(model(held_out)).numpy()
    assert ((prob > 0.5) == y[1600:]).mean() > 0.85
