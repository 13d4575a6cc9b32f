import json
import subprocess
import sys

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer, load_iris
from sklearn.preprocessing import StandardScaler

from assay.train.adapters import get_adapter, import_keras

keras = import_keras()


def shuffled(loader, train):
    x, y = loader(return_X_y=True)
    order = np.random.default_rng(0).permutation(len(x))
    x, y = StandardScaler().fit_transform(x)[order].astype("float32"), y[order].reshape(-1, 1)
    return (x[:train], y[:train]), (x[train:], y[train:])


@pytest.fixture(scope="module")
def cancer():
    return shuffled(load_breast_cancer, 400)


def build(features_shape, label_shape, **hp):
    keras.utils.set_random_seed(0)
    return keras.Sequential(
        [
            keras.Input(shape=features_shape),
            keras.layers.Dense(hp["neurons"], activation="relu"),
            keras.layers.Dense(1, activation="sigmoid"),
        ]
    )


def train(model, loser, optimizer, train_x, train_y, eval_x, eval_y, **hp):
    model.compile(loss=loser, optimizer=optimizer, metrics=["accuracy"])
    model.fit(
        train_x,
        train_y,
        validation_data=(eval_x, eval_y),
        epochs=hp["epochs"],
        batch_size=32,
        verbose=0,
        callbacks=hp.get("callbacks"),
    )
    return model


def test_binary_classification_on_breast_cancer_with_live_history(cancer):
    adapter = get_adapter("keras")
    fns = adapter.resolve({"fn_build": build, "fn_train": train}, "classification_binary")
    reported = []
    model, history = adapter.run(
        fns,
        {"neurons": 8, "epochs": 4},
        (30,),
        (1,),
        *cancer,
        on_epoch=lambda epoch, metrics: reported.append((epoch, metrics)),
    )
    assert set(history) == {"loss", "val_loss", "accuracy", "val_accuracy"}
    assert len(history["loss"]) == 4 and [epoch for epoch, _ in reported] == [0, 1, 2, 3]
    assert reported[-1][1]["val_loss"] == pytest.approx(history["val_loss"][-1])
    assert "fit" not in vars(model)  # the live-history wrapper is gone
    x, y = cancer[1]
    predictions, probabilities = adapter.predict(fns["fn_predict"], model, x)
    assert probabilities.shape == (len(x),) and set(np.unique(predictions)) <= {0, 1}
    assert np.array_equal(predictions, (probabilities > 0.5).astype(int))
    assert (predictions == y.ravel()).mean() > 0.85
    loss = adapter.loss(fns["fn_lose"], model, x, y, "classification_binary", {})
    assert loss == pytest.approx(history["val_loss"][-1], rel=1e-3)


def test_multiclass_loss_one_hot_encodes_ordinal_labels():
    adapter = get_adapter("keras")
    (x, y), _ = shuffled(load_iris, 150)
    model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(3, activation="softmax")])
    fn_lose = adapter.default_fn_lose("classification_multi")
    ordinal = adapter.loss(fn_lose, model, x, y, "classification_multi", {})
    one_hot = adapter.loss(fn_lose, model, x, np.eye(3)[y.ravel()], "classification_multi", {})
    assert ordinal == pytest.approx(one_hot) and ordinal > 0
    predictions, probabilities = adapter.predict(
        adapter.default_fn_predict("classification_multi"), model, x
    )
    assert predictions.shape == (150,) and probabilities.shape == (150, 3)


def test_metric_cutoff_passed_through_fn_train_stops_early(cancer):
    from assay.utils.tensorflow import TrainingCallback

    adapter = get_adapter("keras")
    fns = adapter.resolve({"fn_build": build, "fn_train": train}, "classification_binary")
    cutoff = TrainingCallback.MetricCutoff(
        [dict(metric="val_accuracy", cutoff=0.5, above_or_below="above")]
    )
    reported = []
    _, history = adapter.run(
        fns,
        {"neurons": 8, "epochs": 50, "callbacks": [cutoff]},
        (30,),
        (1,),
        *cancer,
        on_epoch=lambda e, m: reported.append(e),
    )
    assert len(history["loss"]) < 50 and reported == list(range(len(history["loss"])))


class Scale(keras.layers.Layer):
    """A custom layer: the model needs this class to load."""

    def __init__(self, factor=2.0, **kwargs):
        super().__init__(**kwargs)
        self.factor = factor

    def call(self, x):
        return x * self.factor

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}


@pytest.mark.parametrize("custom", [False, True])
def test_model_loads_in_a_fresh_process(cancer, tmp_path, custom):
    adapter = get_adapter("keras")
    fns = adapter.resolve({"fn_build": build, "fn_train": train}, "classification_binary")
    model, _ = adapter.run(fns, {"neurons": 4, "epochs": 1}, (30,), (1,), *cancer)
    if custom:
        model = keras.Sequential([keras.Input(shape=(30,)), Scale(0.5), *model.layers])
    data = adapter.save(model)
    assert data.startswith(b"PK") != custom  # custom classes travel in a bundle
    x = cancer[1][0][:10]
    (tmp_path / "model.keras").write_bytes(data)
    np.save(tmp_path / "x.npy", x)
    code = (
        "import json, numpy as np; from assay.train.adapters import get_adapter; "
        f"p = {str(tmp_path)!r}; "
        "model = get_adapter('keras').load(open(p + '/model.keras', 'rb').read()); "
        "print(json.dumps(model.predict(np.load(p + '/x.npy'), verbose=0).ravel().tolist()))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path if not custom else None,
    )
    expected = model.predict(x, verbose=0).ravel()
    assert np.allclose(json.loads(out.stdout.strip().splitlines()[-1]), expected, atol=1e-6)
