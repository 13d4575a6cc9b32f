"""TrainedModel: a stored Predictor, rebuilt and ready to predict and score."""

import numpy as np
from sklearn.datasets import load_iris

from assay.orm import Algorithm, Dataset, Feature, Label, Queue, Splitset
from assay.train.model import TrainedModel


def build(features_shape, label_shape, **hp):
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(max_iter=300)


def train(model, loser, optimizer, train_features, train_label, eval_features, eval_label, **hp):
    return model.fit(train_features, train_label.ravel())


def test_of_predictor_predicts_like_the_stored_model():
    frame = load_iris(as_frame=True).frame
    dataset = Dataset.Tabular.from_df(frame)
    feature = Feature.from_dataset(dataset.id, exclude_columns=["target"])
    label = Label.from_dataset(dataset.id, columns=["target"])
    splitset = Splitset.make([feature.id], label.id, size_test=0.2, fold_count=2)
    algorithm = Algorithm.make("sklearn", "classification_multi", build, train)
    queue = Queue.from_algorithm(algorithm.id, splitset.id, permute_count=0)
    queue.run_jobs(progress=False)
    predictor = queue.predictors[1]
    trained = TrainedModel.of_predictor(predictor.id)
    assert trained.analysis_type == "classification_multi"
    assert trained.preprocessing.train_key == "folds_train_combined"
    assert trained.preprocessing.class_names == [0, 1, 2]
    features, label = splitset.arrays("test", predictor.job.fold_id)
    predicted, probabilities = trained.predict(features)
    np.testing.assert_array_equal(predicted, predictor.get_model().predict(features[0]))
    assert probabilities.shape == (len(label), 3)
    assert 0 < trained.loss(features, label) < 1
