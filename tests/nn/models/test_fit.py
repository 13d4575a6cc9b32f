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
    matrix_args_from_fy,
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


def test_multi_head_with_a_gru_learns_the_order_of_a_fold_files_matrix(tmp_path):
    rng = np.random.default_rng(0)
    n, steps = 2000, 6
    df = pd.DataFrame({"a": rng.normal(size=n), "b": rng.normal(size=n)})
    for t in range(steps):
        df[f"t{t}_u"] = rng.normal(size=n)
        df[f"t{t}_noise"] = rng.normal(size=n)
    # the label needs the order: does u rise from the first step to the last?
    df["label"] = ((df[f"t{steps - 1}_u"] > df["t0_u"]) ^ (df["a"] > 1.0)).astype(float)
    path = df2foldfile(
        df,
        5,
        ["a", "b"],
        [],
        "label",
        tmp_path / "seq.h5",
        "float32",
        matrix_vecs=[f"t{t}" for t in range(steps)],
        matrix_feats_per_vec=["u", "noise"],
        matrix_row_wise=False,
    )
    fy = FoldYielder(path, ignore_feats=["noise"])
    builder = ModelBuilder(
        "classification",
        fy.cont_feats,
        1,
        head=partial(
            MultiHead,
            matrix_head=partial(RecurrentHead, **matrix_args_from_fy(fy), cell="gru", width=16),
        ),
        body=partial(FullyConnected, depth=2, width=32),
        model_args={"tail": {"logits": True}},
        opt_args={"lr": 5e-3},
    )
    model, opt, loss = builder.get_model()
    assert model.head.matrix_head.feats_per_vec == ["u"]
    folds = [fy.get_fold(i) for i in range(4)]
    flat = np.concatenate([f["inputs"][0] for f in folds])
    matrix = np.concatenate([f["inputs"][1] for f in folds])
    assert matrix.shape[1:] == (1, steps)  # column-wise: features x steps
    x = tuple(tensors(flat, matrix))
    y = tensors(np.concatenate([f["targets"] for f in folds]))[0]
    first, last = train(model, opt, loss, x, y, steps=400)
    assert last < first / 3
    held_out = fy.get_fold(4)
    model.eval()
    with torch.no_grad():
        prob = model.to_predictions(model(tuple(tensors(*held_out["inputs"])))).numpy()
    assert ((prob > 0.5) == held_out["targets"]).mean() > 0.85
    fy.close()
