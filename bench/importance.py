"""Permutation importance of a trained Keras classifier, against the raw model by hand.

A binary classifier on breast cancer (30 columns) is trained once through a Queue; then
``Prediction.calc_featureImportance(permute_count=3)`` is timed against the same computation
written with the raw Keras model: shuffle a column, predict the whole split in one call,
compute the loss, take the median of three.
"""

from __future__ import annotations

import numpy as np

from bench.common import median_seconds, report_times, temporary_metastore

PERMUTE_COUNT = 3
TARGET = 1.3


def build(features_shape, label_shape, **hp):
    import keras

    return keras.Sequential(
        [
            keras.Input(shape=features_shape),
            keras.layers.Dense(16, activation="relu"),
            keras.layers.Dense(1, activation="sigmoid"),
        ]
    )


def train(model, loser, optimizer, train_features, train_label, eval_features, eval_label, **hp):
    model.compile(loss=loser, optimizer=optimizer)
    model.fit(train_features, train_label, epochs=10, batch_size=32, verbose=0)
    return model


def by_hand(model: object, x: np.ndarray, y: np.ndarray) -> dict[int, float]:
    """Training loss minus the median loss over shuffles, for each column."""
    import keras

    loser = keras.losses.BinaryCrossentropy()
    rng = np.random.default_rng(0)
    baseline = float(loser(y, model.predict(x, verbose=0)))
    impacts = {}
    for column in range(x.shape[1]):
        shuffled = x.copy()
        losses = []
        for _ in range(PERMUTE_COUNT):
            shuffled[:, column] = x[rng.permutation(len(x)), column]
            losses.append(float(loser(y, model.predict(shuffled, verbose=0))))
        impacts[column] = baseline - float(np.median(losses))
    return impacts


def run(repeats: int = 3) -> float:
    """Train once, then time both computations."""
    from sklearn.datasets import load_breast_cancer
    from sklearn.preprocessing import StandardScaler

    from assay.orm import Algorithm, Dataset, Feature, FeatureCoder, Label, Queue, Splitset

    temporary_metastore()
    frame = load_breast_cancer(as_frame=True).frame
    dataset = Dataset.Tabular.from_df(frame)
    feature = Feature.from_dataset(dataset.id, exclude_columns=["target"])
    FeatureCoder.from_feature(feature.id, StandardScaler(), verbose=False)
    label = Label.from_dataset(dataset.id, columns=["target"])
    splitset = Splitset.make([feature.id], label.id, size_test=0.2)
    algorithm = Algorithm.make("keras", "classification_binary", build, train)
    queue = Queue.from_algorithm(algorithm.id, splitset.id, permute_count=0)
    queue.run_jobs(progress=False)
    predictor = queue.predictors[0]
    prediction = predictor.predictions[0]
    model = predictor.get_model()
    x, y = splitset.to_numpy("train")
    y = y.astype("float32")
    baseline = median_seconds(lambda: by_hand(model, x, y), repeats)
    ours = median_seconds(
        lambda: prediction.calc_featureImportance(permute_count=PERMUTE_COUNT), repeats
    )
    return report_times(
        f"permutation importance, Keras binary classifier on breast cancer (30 columns, permute_count={PERMUTE_COUNT})",
        ours,
        baseline,
        TARGET,
    )


if __name__ == "__main__":
    run()
