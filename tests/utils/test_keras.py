import subprocess
import sys

import numpy as np
import pytest

from assay.errors import InvalidArgument


def test_importing_the_module_does_not_import_keras():
    code = (
        "import sys; import assay.utils.keras, assay.utils.tensorflow; "
        "print('keras' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_tensorflow_path_gives_the_same_class():
    from assay.utils.keras import TrainingCallback
    from assay.utils.tensorflow import TrainingCallback as Same

    assert Same is TrainingCallback
    import assay.utils.keras

    with pytest.raises(AttributeError, match="Nothing"):
        _ = assay.utils.keras.Nothing


@pytest.fixture(scope="module")
def data():
    x = np.random.default_rng(0).normal(size=(64, 3)).astype("float32")
    return x, (x[:, 0] > 0).astype("float32")


def model_for(keras):
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(1, activation="sigmoid")])
    model.compile(loss="binary_crossentropy", optimizer="adam", metrics=["accuracy"])
    return model


def test_metric_cutoff_stops_when_every_cutoff_is_met(data):
    from assay.train.adapters import import_keras
    from assay.utils.keras import TrainingCallback

    keras = import_keras()
    x, y = data
    met = TrainingCallback.MetricCutoff([dict(metric="loss", cutoff=10.0, above_or_below="below")])
    history = model_for(keras).fit(x, y, epochs=20, verbose=0, callbacks=[met])
    assert len(history.history["loss"]) == 1 and met.stopped_epoch == 0
    # one cutoff met, the other never: all must be met, so training runs to the end
    both = TrainingCallback.MetricCutoff(
        [
            dict(metric="loss", cutoff=10.0, above_or_below="below"),
            dict(metric="accuracy", cutoff=1.1, above_or_below="above"),
        ]
    )
    history = model_for(keras).fit(x, y, epochs=3, verbose=0, callbacks=[both])
    assert len(history.history["loss"]) == 3 and both.stopped_epoch is None


def test_metric_cutoff_names_a_metric_that_is_not_logged(data):
    from assay.train.adapters import import_keras
    from assay.utils.keras import TrainingCallback

    x, y = data
    cutoff = TrainingCallback.MetricCutoff(
        [dict(metric="val_accuracy", cutoff=0.9, above_or_below="above")]
    )
    with pytest.raises(InvalidArgument, match="'val_accuracy' is not in the epoch's logs"):
        model_for(import_keras()).fit(x, y, epochs=2, verbose=0, callbacks=[cutoff])


@pytest.mark.parametrize(
    ("thresholds", "match"),
    [
        ([dict(metric="loss", cutoff=1.0, above_or_below="over")], "'above' or 'below'"),
        ([dict(metric="loss", cutoff=1.0)], r"thresholds\[0\] must be dict"),
        ([dict(metric="loss", cutoff="high", above_or_below="above")], "must be a number"),
        ([dict(metric=3, cutoff=1.0, above_or_below="above")], "metric name"),
        ([], "non-empty list"),
        (dict(metric="loss", cutoff=1.0, above_or_below="below"), "non-empty list"),
    ],
)
def test_bad_cutoffs_are_clear_errors(thresholds, match):
    from assay.utils.keras import TrainingCallback

    with pytest.raises(InvalidArgument, match=match):
        TrainingCallback.MetricCutoff(thresholds)
