"""A small experiment and a registered model for the server's tests to read.

Iris, a logistic regression, a test split: every kind of row the API serves (a Dataset,
a Queue with runs and epochs, Predictions with curves and a confusion matrix, a model with
a published version and a file), made in about a second.
"""

from __future__ import annotations

import pickle
from dataclasses import dataclass

import numpy as np
from sklearn.datasets import load_iris

from assay.orm import Algorithm, Dataset, Feature, Label, LabelCoder, Queue, Splitset
from assay.registry import Registry


def build(features_shape, label_shape, **hp):
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(max_iter=300)


def train(model, loser, optimizer, train_features, train_label, eval_features, eval_label, **hp):
    return model.fit(train_features, train_label.ravel())


@dataclass
class Experiment:
    """The ids of what ``make_experiment`` wrote."""

    dataset_id: int
    queue_id: int
    run_id: int
    prediction_id: int
    model_id: int


def make_experiment() -> Experiment:
    """Train iris once, and register a model with a published version holding a pkl file."""
    from sklearn.preprocessing import OrdinalEncoder

    frame = load_iris(as_frame=True).frame
    names = np.array(["setosa", "versicolor", "virginica"], dtype=object)
    frame["species"] = names[frame.pop("target")]
    dataset = Dataset.Tabular.from_df(frame)
    feature = Feature.from_dataset(dataset.id, exclude_columns=["species"])
    label = Label.from_dataset(dataset.id, columns=["species"])
    LabelCoder.from_label(label.id, OrdinalEncoder())
    splitset = Splitset.make([feature.id], label.id, size_test=0.3)
    algorithm = Algorithm.make("sklearn", "classification_multi", build, train)
    queue = Queue.from_algorithm(algorithm.id, splitset.id, permute_count=0)
    queue.run_jobs(progress=False)
    prediction = queue.predictors[0].predictions[0]
    model = Registry().create_model("iris", tags="tabular")
    version = model.create_version(hyperparameters={"max_iter": 300})
    version.add_format("pkl", pickle.dumps({"weights": [1, 2, 3]}))
    return Experiment(dataset.id, queue.id, queue.runs[0].id, prediction.id, model.id)
