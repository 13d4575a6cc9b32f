import json
import subprocess
import sys

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer, load_diabetes
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler

from assay.errors import InvalidArgument
from assay.train import adapters
from assay.train.adapters import LIBRARIES, Adapter, get_adapter, register_adapter, split_history


def split(x, y, train=0.7):
    cut = int(len(x) * train)
    return (x[:cut], y[:cut]), (x[cut:], y[cut:])


@pytest.fixture(scope="module")
def cancer():
    x, y = load_breast_cancer(return_X_y=True)
    order = np.random.default_rng(0).permutation(len(x))
    return split(StandardScaler().fit_transform(x)[order], y[order].reshape(-1, 1))


@pytest.fixture(scope="module")
def diabetes():
    x, y = load_diabetes(return_X_y=True)
    return split(x, y.reshape(-1, 1))


def logistic_build(features_shape, label_shape, **hp):
    return LogisticRegression(C=hp["C"], max_iter=500)


def ridge_build(features_shape, label_shape, **hp):
    return Ridge(alpha=hp["alpha"])


def estimator_train(model, loser, optimizer, train_x, train_y, eval_x, eval_y, **hp):
    model.fit(train_x, train_y.ravel())
    return model


def test_registry_lists_and_finds_the_libraries(monkeypatch):
    assert LIBRARIES[:4] == ["keras", "pytorch", "sklearn", "xgboost"]
    assert get_adapter("sklearn").name == "sklearn"
    with pytest.raises(InvalidArgument, match=r"library must be one of \['keras'"):
        get_adapter("caffe")

    class Numpy(Adapter):
        name = "numpy-test"

    monkeypatch.delitem(adapters.library_registry, "numpy-test", raising=False)
    register_adapter(Numpy())
    assert "numpy-test" in adapters.LIBRARIES and isinstance(get_adapter("numpy-test"), Numpy)
    assert adapters.library_registry.origin("numpy-test").kind == "registered"
    assert adapters.library_registry.origin("sklearn").where == "assay.train.adapters.estimators"
    with pytest.raises(InvalidArgument, match="Adapter instance"):
        register_adapter(object())


def test_split_history_accepts_both_orders():
    history = {"loss": [1.0]}
    assert split_history(("model", history)) == ("model", history)
    assert split_history((history, "model")) == ("model", history)
    assert split_history("model") == ("model", None)
    with pytest.raises(InvalidArgument, match="history dict"):
        split_history(("a", "b"))


def test_logistic_regression_binary(cancer):
    adapter = get_adapter("sklearn")
    fns = adapter.resolve(
        {"fn_build": logistic_build, "fn_train": estimator_train}, "classification_binary"
    )
    assert fns["fn_lose"] is None and fns["fn_optimize"] is None
    epochs = []
    model, history = adapter.run(
        fns, {"C": 1.0}, (30,), (1,), *cancer, on_epoch=lambda e, m: epochs.append(e)
    )
    assert history == {} and epochs == []
    x, y = cancer[1]
    predictions, probabilities = adapter.predict(fns["fn_predict"], model, x)
    assert set(np.unique(predictions)) == {0, 1} and probabilities.shape == (len(x),)
    assert (predictions == y.ravel()).mean() > 0.9
    assert np.array_equal(predictions, (probabilities > 0.5).astype(int))
    loss = adapter.loss(None, model, x, y, "classification_binary", {})
    assert 0 < loss < 0.5
    train_x, train_y = cancer[0]
    worse = LogisticRegression(C=1e-4).fit(train_x, train_y.ravel())
    assert adapter.loss(None, worse, x, y, "classification_binary", {}) > loss


def test_ridge_regression_on_diabetes(diabetes):
    adapter = get_adapter("sklearn")
    fns = adapter.resolve({"fn_build": ridge_build, "fn_train": estimator_train}, "regression")
    model, _ = adapter.run(fns, {"alpha": 0.1}, (10,), (1,), *diabetes)
    x, y = diabetes[1]
    predictions, probabilities = adapter.predict(fns["fn_predict"], model, [x])
    assert probabilities is None and predictions.shape == (len(x),)
    mse = adapter.loss(None, model, x, y, "regression", {})
    assert mse == pytest.approx(float(np.mean((predictions - y.ravel()) ** 2)))

    def fn_lose(**hp):
        return lambda truth, predicted: float(np.mean(np.abs(truth - predicted)))

    mae = adapter.loss(fn_lose, model, x, y, "regression", {})
    assert mae == pytest.approx(float(np.mean(np.abs(predictions - y.ravel()))))


def test_mlp_loss_curve_becomes_history_reported_per_epoch(cancer):
    adapter = get_adapter("sklearn")

    def build(features_shape, label_shape, **hp):
        return MLPClassifier(hidden_layer_sizes=(8,), max_iter=hp["epochs"], random_state=0)

    fns = adapter.resolve({"fn_build": build, "fn_train": estimator_train}, "classification_binary")
    reported = []
    with pytest.warns(Warning):  # not converged in 5 iterations
        _, history = adapter.run(
            fns, {"epochs": 5}, (30,), (1,), *cancer, on_epoch=lambda e, m: reported.append((e, m))
        )
    assert len(history["loss"]) == 5
    assert [e for e, _ in reported] == [0, 1, 2, 3, 4]
    assert reported[2][1]["loss"] == history["loss"][2]


def test_model_loads_in_a_fresh_process(cancer, tmp_path):
    adapter = get_adapter("sklearn")
    fns = adapter.resolve(
        {"fn_build": logistic_build, "fn_train": estimator_train}, "classification_binary"
    )
    model, _ = adapter.run(fns, {"C": 0.5}, (30,), (1,), *cancer)
    x = cancer[1][0][:10]
    (tmp_path / "model.bin").write_bytes(adapter.save(model))
    np.save(tmp_path / "x.npy", x)
    code = (
        "import json, sys, numpy as np; from assay.train.adapters import get_adapter; "
        f"p = {str(tmp_path)!r}; model = get_adapter('sklearn').load(open(p + '/model.bin', 'rb').read()); "
        "print(json.dumps(model.predict_proba(np.load(p + '/x.npy'))[:, 1].tolist()))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert np.allclose(json.loads(out.stdout), model.predict_proba(x)[:, 1])
