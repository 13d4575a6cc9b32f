"""Keras and XGBoost through the queue, with live history and early stopping."""

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer, load_iris
from sklearn.preprocessing import StandardScaler

from assay.orm import (
    Algorithm,
    Dataset,
    Feature,
    FeatureCoder,
    Hyperparamset,
    Label,
    Queue,
    Splitset,
)


def splitset_of(loader, **kwargs):
    frame = loader(as_frame=True).frame
    dataset = Dataset.Tabular.from_df(frame)
    feature = Feature.from_dataset(dataset.id, exclude_columns=["target"])
    FeatureCoder.from_feature(feature.id, StandardScaler(), verbose=False)
    label = Label.from_dataset(dataset.id, columns=["target"])
    return Splitset.make([feature.id], label.id, size_test=0.2, size_validation=0.2, **kwargs)


def keras_build(features_shape, label_shape, **hp):
    import keras

    model = keras.Sequential(
        [
            keras.Input(shape=features_shape),
            keras.layers.Dense(hp["neurons"], activation="relu"),
            keras.layers.Dense(1, activation="sigmoid"),
        ]
    )
    return model


def keras_train(
    model, loser, optimizer, train_features, train_label, eval_features, eval_label, **hp
):
    from assay.utils.tensorflow import TrainingCallback

    cutoff = TrainingCallback.MetricCutoff(
        [dict(metric="val_accuracy", cutoff=0.999, above_or_below="above")]
    )
    model.compile(loss=loser, optimizer=optimizer, metrics=["accuracy"])
    model.fit(
        train_features,
        train_label,
        validation_data=(eval_features, eval_label),
        epochs=hp["epochs"],
        batch_size=32,
        verbose=0,
        callbacks=[cutoff],
    )
    return model


def test_keras_binary_classification_on_breast_cancer():
    splitset = splitset_of(load_breast_cancer)
    algorithm = Algorithm.make("keras", "classification_binary", keras_build, keras_train)
    hyperparamset = Hyperparamset.from_algorithm(algorithm.id, {"neurons": [8], "epochs": [12]})
    queue = Queue.from_algorithm(
        algorithm.id, splitset.id, hyperparamset_id=hyperparamset.id, permute_count=1
    )
    queue.run_jobs(progress=False)
    assert queue.status_counts()["succeeded"] == 1, queue.runs[0].traceback
    predictor = queue.predictors[0]
    assert set(predictor.history) >= {"loss", "val_loss", "accuracy", "val_accuracy"}
    epochs = len(predictor.history["loss"])
    assert 1 <= epochs <= 12
    assert len(queue.runs[0].epochs) == epochs  # written live, one row per epoch
    prediction = predictor.predictions[0]
    assert set(prediction.metrics) == {"train", "validation", "test"}
    assert prediction.metrics["test"]["accuracy"] > 0.85
    assert prediction.probabilities["test"].shape == (len(splitset.samples["test"]),)
    assert set(prediction.predictions["test"]) <= {0, 1}
    assert len(prediction.feature_importance[str(splitset.feature_ids[0])]) == 30
    model = predictor.get_model()
    x, _ = splitset.to_numpy("test")
    assert model.predict(x, verbose=0).shape == (len(x), 1)


def test_metric_cutoff_stops_training_early():
    import keras

    from assay.utils.keras import TrainingCallback

    x = np.random.default_rng(0).normal(size=(64, 3)).astype("float32")
    y = (x[:, 0] > 0).astype("float32")
    model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(1, activation="sigmoid")])
    model.compile(loss="binary_crossentropy", optimizer="adam", metrics=["accuracy"])
    cutoff = TrainingCallback.MetricCutoff(
        [dict(metric="loss", cutoff=10.0, above_or_below="below")]
    )
    history = model.fit(x, y, epochs=50, verbose=0, callbacks=[cutoff])
    assert len(history.history["loss"]) == 1 and cutoff.stopped_epoch == 0
    with pytest.raises(ValueError, match="above_or_below"):
        TrainingCallback.MetricCutoff([dict(metric="loss", cutoff=1.0, above_or_below="over")])


def xgb_build(features_shape, label_shape, **hp):
    from xgboost import XGBClassifier

    return XGBClassifier(n_estimators=hp["trees"], max_depth=3, eval_metric="mlogloss")


def xgb_train(
    model, loser, optimizer, train_features, train_label, eval_features, eval_label, **hp
):
    model.fit(
        train_features,
        train_label.ravel(),
        eval_set=[(train_features, train_label.ravel()), (eval_features, eval_label.ravel())],
        verbose=False,
    )
    return model


def test_xgboost_classification_with_its_eval_history():
    splitset = splitset_of(load_iris)
    algorithm = Algorithm.make("xgboost", "classification_multi", xgb_build, xgb_train)
    hyperparamset = Hyperparamset.from_algorithm(algorithm.id, {"trees": [5, 20]})
    queue = Queue.from_algorithm(
        algorithm.id, splitset.id, hyperparamset_id=hyperparamset.id, permute_count=0
    )
    queue.run_jobs(progress=False)
    assert queue.status_counts()["succeeded"] == 2, [r.traceback for r in queue.runs]
    predictor = queue.predictors[1]
    assert len(predictor.history["loss"]) == 20 and len(predictor.history["val_loss"]) == 20
    prediction = predictor.predictions[0]
    assert prediction.metrics["test"]["accuracy"] > 0.8
    assert prediction.probabilities["test"].shape[1] == 3
    metrics = queue.metrics_df(selected_metrics=["accuracy", "loss"], sort_by="accuracy")
    assert list(metrics.columns[-2:]) == ["accuracy", "loss"] and len(metrics) == 6
