"""train_models and Ensemble: many models over one fold file, combined with an uncertainty."""

from __future__ import annotations

import json
from functools import partial

import numpy as np
import pytest
import torch

from assay.errors import InvalidArgument
from assay.nn import Callback, EarlyStopping, Ensemble, Model, RocAucScore, train_models
from tests.nn.foldfiles import CANCER_FEATS, builder, cancer_foldfile


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("ensemble")


@pytest.fixture(scope="module")
def fy(folder):
    return cancer_foldfile(folder, n_folds=4)


@pytest.fixture(scope="module")
def trained(fy, folder):
    """One train_models run that the tests share (they only read its results and files)."""
    torch.manual_seed(0)
    results = train_models(
        fy,
        n_models=3,
        bs=64,
        model_builder=builder("classification", CANCER_FEATS),
        n_epochs=4,
        metric_partials=[RocAucScore],
        savepath=folder / "weights",
        progress=False,
    )
    return results


def test_train_models_trains_each_model_on_its_own_validation_fold(trained, folder, fy):
    assert [r["model_id"] for r in trained] == [0, 1, 2]
    assert [r["val_idx"] for r in trained] == [0, 1, 2]
    for result in trained:
        losses = result["history"]["val_loss"]
        assert result["loss"] == min(losses) and result["best_epoch"] == losses.index(min(losses))
        assert result["metrics"]["roc_auc"] == result["history"]["roc_auc"][result["best_epoch"]]
        assert result["epochs"] == 4 and result["seconds"] > 0
        # each file holds the model at its best epoch
        model = Model.from_save(result["path"], device="cpu")
        loss = model.evaluate(fy, fold_idxs=[result["val_idx"]])
        assert loss == pytest.approx(result["loss"], rel=1e-5)
    saved = json.loads((folder / "weights" / "results.json").read_text())
    assert [r["path"] for r in saved] == [r["path"] for r in trained]


def test_train_models_stops_early_and_makes_fresh_callbacks_per_model(fy, tmp_path):
    made = []
    torch.manual_seed(0)

    class Tracked(Callback):
        def __init__(self):
            made.append(self)

    results = train_models(
        fy,
        2,
        64,
        builder("classification", CANCER_FEATS, lr=0.5),  # too fast: it stalls soon
        n_epochs=30,
        cb_partials=[Tracked],
        patience=1,
        val_idxs=[3, 3],
        savepath=tmp_path / "early",
        progress=False,
    )
    assert len(made) == 3 and made[1] is not made[2]  # one to check the partials, one per model
    assert all(r["epochs"] < 30 and r["val_idx"] == 3 for r in results)


def test_train_models_refuses_bad_arguments_before_writing(fy, tmp_path):
    arguments = {
        "fy": fy,
        "n_models": 2,
        "bs": 64,
        "model_builder": builder("classification", CANCER_FEATS),
        "n_epochs": 1,
        "savepath": tmp_path / "never",
        "progress": False,
    }
    cases = [
        ({"n_models": 0}, "n_models must be a positive int"),
        ({"model_builder": "fc"}, "model_builder must be a ModelBuilder"),
        ({"val_idxs": [0]}, "one fold index per model"),
        ({"val_idxs": [0, 9]}, "val_idxs must be a fold index"),
        ({"cb_partials": [EarlyStopping(2)]}, "cb_partials must be a list of callables"),
        ({"cb_partials": [lambda: 3]}, "cb_partials\\[0\\] must make a Callback"),
        ({"metric_partials": [Callback]}, "metric_partials\\[0\\] must make a EvalMetric"),
        ({"metric_partials": [RocAucScore, RocAucScore]}, "distinct names"),
    ]
    for change, message in cases:
        with pytest.raises(InvalidArgument, match=message):
            train_models(**{**arguments, **change})
    assert not (tmp_path / "never").exists()
    one = cancer_foldfile(tmp_path / "one", n_folds=1)
    with pytest.raises(InvalidArgument, match="at least 2 folds"):
        train_models(**{**arguments, "fy": one})


def test_an_ensemble_keeps_the_best_models_and_averages_them(trained, fy):
    ensemble = Ensemble.from_results(trained, 2, device="cpu")
    best = sorted(trained, key=lambda r: r["loss"])[:2]
    assert [r["model_id"] for r in ensemble.results] == [r["model_id"] for r in best]
    assert np.allclose(ensemble.weights, [0.5, 0.5])

    inputs = fy[3]["inputs"]
    mean, spread = ensemble.predict(inputs)
    each = np.stack([m.predict(inputs) for m in ensemble.models])
    assert mean.shape == spread.shape == (len(inputs), 1)
    assert np.allclose(mean, each.mean(0), atol=1e-6)
    assert np.allclose(spread, each.std(0), atol=1e-6)
    assert (spread > 0).all()

    first, zero = ensemble.predict(inputs, n_models=1)
    assert np.allclose(first, each[0]) and np.allclose(zero, 0)


def test_weighted_ensembles_weight_by_the_metric(trained, fy):
    by_auc = Ensemble.from_results(
        trained, 3, metric="roc_auc", higher_metric_better=True, weighting="metric"
    )
    aucs = [r["metrics"]["roc_auc"] for r in by_auc.results]
    assert aucs == sorted(aucs, reverse=True)
    assert np.allclose(by_auc.weights, np.array(aucs) / sum(aucs))
    by_loss = Ensemble.from_results(trained, 3, weighting="metric")
    inverse = 1 / np.array([r["loss"] for r in by_loss.results])
    assert np.allclose(by_loss.weights, inverse / inverse.sum())

    inputs = fy[3]["inputs"]
    mean, spread = by_loss.predict(inputs)
    each = np.stack([m.predict(inputs) for m in by_loss.models]).astype(np.float64)
    w = by_loss.weights.reshape(-1, 1, 1)
    expected = (w * each).sum(0)
    assert np.allclose(mean, expected, atol=1e-6)
    assert np.allclose(spread, np.sqrt((w * (each - expected) ** 2).sum(0)), atol=1e-6)


def test_ensemble_predictions_and_uncertainty_are_written_back_to_the_file(trained, fy):
    ensemble = Ensemble.from_results(trained, 3)
    assert ensemble.predict(fy, pred_name="ens") is None
    for fold in range(fy.n_folds):
        mean, spread = ensemble.predict(fy[fold]["inputs"])
        assert np.allclose(fy.get_column("ens", fold_idx=fold), mean)
        assert np.allclose(fy.get_column("ens_unc", fold_idx=fold), spread)


def test_an_ensemble_saves_and_loads(trained, fy, folder, tmp_path):
    ensemble = Ensemble.from_results(trained, 2, weighting="metric")
    saved = ensemble.save(tmp_path / "ensemble")
    loaded = Ensemble.load(saved, device="cpu")
    assert len(loaded) == 2 and np.allclose(loaded.weights, ensemble.weights)
    inputs = fy[3]["inputs"]
    for got, expected in zip(loaded.predict(inputs), ensemble.predict(inputs), strict=True):
        assert np.array_equal(got, expected)
    assert loaded.fold_file == str(fy.path.resolve())
    # from_results also reads the folder train_models wrote
    again = Ensemble.from_results(folder / "weights", 1)
    assert again.results[0]["model_id"] == ensemble.results[0]["model_id"]


def test_ensemble_arguments_are_checked(trained):
    with pytest.raises(InvalidArgument, match="size must be at most 3"):
        Ensemble.from_results(trained, 4)
    with pytest.raises(
        InvalidArgument, match=r"metric must be one the results hold \(loss, roc_auc\)"
    ):
        Ensemble.from_results(trained, 2, metric="accuracy")
    with pytest.raises(InvalidArgument, match="weighting must be one of"):
        Ensemble.from_results(trained, 2, weighting="inverse")
    with pytest.raises(InvalidArgument, match="models must be a non-empty list"):
        Ensemble([])
    model = Model.from_save(trained[0]["path"])
    with pytest.raises(InvalidArgument, match="weights must be 2 non-negative"):
        Ensemble([model, model], weights=[1.0, -1.0])
    with pytest.raises(InvalidArgument, match="n_models must be at most 1"):
        Ensemble([model]).predict(np.zeros((2, 5), np.float32), n_models=2)
    with pytest.raises(InvalidArgument, match="results must be"):
        Ensemble.from_results(partial(print), 1)
