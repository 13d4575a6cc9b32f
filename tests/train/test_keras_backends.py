"""Keras on JAX where installed, on PyTorch otherwise, KERAS_BACKEND overriding; saved models
load under either backend. Each case runs in a fresh process, since Keras fixes its backend
when first imported."""

import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from assay.train.adapters.keras import choose_backend

TRAIN_AND_SAVE = textwrap.dedent(
    """
    import json, sys
    import numpy as np
    from sklearn.datasets import load_breast_cancer
    from sklearn.preprocessing import StandardScaler
    from assay.train.adapters import get_adapter

    def build(features_shape, label_shape, **hp):
        import keras

        keras.utils.set_random_seed(0)
        return keras.Sequential([
            keras.Input(shape=features_shape),
            keras.layers.Dense(8, activation="relu"),
            keras.layers.Dense(1, activation="sigmoid"),
        ])

    def train(model, loser, optimizer, x, y, eval_x, eval_y, **hp):
        model.compile(loss=loser, optimizer=optimizer)
        model.fit(x, y, epochs=3, batch_size=32, verbose=0)
        return model

    x, y = load_breast_cancer(return_X_y=True)
    x = StandardScaler().fit_transform(x).astype("float32")
    y = y.reshape(-1, 1).astype("float32")
    adapter = get_adapter("keras")
    fns = adapter.resolve({"fn_build": build, "fn_train": train}, "classification_binary")
    model, history = adapter.run(fns, {}, (30,), (1,), (x, y), (x, y))
    folder = sys.argv[1]
    open(folder + "/model.keras", "wb").write(adapter.save(model))
    np.save(folder + "/x.npy", x[:20])
    import keras

    print(json.dumps({
        "backend": keras.backend.backend(),
        "predicted": model.predict(x[:20], verbose=0).ravel().tolist(),
        "epochs": len(history["loss"]),
    }))
    """
)

LOAD_AND_PREDICT = textwrap.dedent(
    """
    import json, sys
    import numpy as np
    from assay.train.adapters import get_adapter

    folder = sys.argv[1]
    model = get_adapter("keras").load(open(folder + "/model.keras", "rb").read())
    import keras

    print(json.dumps({
        "backend": keras.backend.backend(),
        "predicted": model.predict(np.load(folder + "/x.npy"), verbose=0).ravel().tolist(),
    }))
    """
)


def run_python(code: str, folder, backend: str | None) -> dict:
    env = {key: value for key, value in os.environ.items() if key != "KERAS_BACKEND"}
    if backend is not None:
        env["KERAS_BACKEND"] = backend
    done = subprocess.run(
        [sys.executable, "-c", code, str(folder)], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_jax_is_chosen_where_installed_and_keras_backend_overrides(monkeypatch):
    monkeypatch.delenv("KERAS_BACKEND", raising=False)
    assert choose_backend() == "jax"  # the keras extra installs jax[cpu]
    monkeypatch.setenv("KERAS_BACKEND", "torch")
    assert choose_backend() == "torch"


def test_a_fresh_process_trains_on_jax_by_default(tmp_path):
    trained = run_python(TRAIN_AND_SAVE, tmp_path, backend=None)
    assert trained["backend"] == "jax" and trained["epochs"] == 3


@pytest.mark.parametrize(("saved_on", "loaded_on"), [("jax", "torch"), ("torch", "jax")])
def test_a_model_saved_under_one_backend_loads_under_the_other(tmp_path, saved_on, loaded_on):
    trained = run_python(TRAIN_AND_SAVE, tmp_path, backend=saved_on)
    loaded = run_python(LOAD_AND_PREDICT, tmp_path, backend=loaded_on)
    assert (trained["backend"], loaded["backend"]) == (saved_on, loaded_on)
    assert np.allclose(loaded["predicted"], trained["predicted"], atol=1e-5)
    assert 0 < min(trained["predicted"]) < max(trained["predicted"]) < 1
