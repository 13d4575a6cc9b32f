"""Inference splitsets: new samples through a Predictor's own preprocessing, never refitted."""

import numpy as np
import pytest
from sklearn.datasets import load_diabetes
from sklearn.preprocessing import StandardScaler

from assay.errors import InvalidArgument
from assay.orm import Algorithm, Dataset, Feature, FeatureCoder, Label, LabelCoder, Queue, Splitset


def build(features_shape, label_shape, **hp):
    from sklearn.linear_model import Ridge

    return Ridge()


def train(model, loser, optimizer, train_features, train_label, eval_features, eval_label, **hp):
    return model.fit(train_features, train_label.ravel())


@pytest.fixture
def predictor_and_frame(backend):
    frame = load_diabetes(as_frame=True).frame
    dataset = Dataset.Tabular.from_df(frame.iloc[:400])
    feature = Feature.from_dataset(dataset.id, exclude_columns=["target"])
    FeatureCoder.from_feature(feature.id, StandardScaler(), verbose=False)
    label = Label.from_dataset(dataset.id, columns=["target"])
    LabelCoder.from_label(label.id, StandardScaler())
    splitset = Splitset.make([feature.id], label.id, size_test=0.25)
    algorithm = Algorithm.make("sklearn", "regression", build, train)
    queue = Queue.from_algorithm(algorithm.id, splitset.id, permute_count=0)
    queue.run_jobs(progress=False)
    return queue.predictors[0], frame, splitset


def test_inference_reuses_the_fitted_coders_and_decodes(predictor_and_frame):
    predictor, frame, trained_on = predictor_and_frame
    trained_on = Splitset.get_by_id(trained_on.id)  # fitted coders were stored by run_jobs
    new = Dataset.Tabular.from_df(frame.iloc[400:].reset_index(drop=True))
    feature = Feature.from_dataset(new.id, exclude_columns=["target"])
    label = Label.from_dataset(new.id, columns=["target"])
    splitset = Splitset.make([feature.id], label.id, predictor_id=predictor.id)
    assert list(splitset.samples) == ["infer_0"]
    assert (splitset.key_train, splitset.key_evaluation, splitset.key_test) == (None, None, None)
    features = splitset.fetch_cache("infer_0", "features")
    scaler = trained_on.fitted_featurecoders[0][0]
    raw = frame.drop(columns="target").to_numpy()[400:]
    np.testing.assert_allclose(features, scaler.transform(raw))  # the trained scaler, not refitted
    prediction = splitset.infer()
    model = predictor.get_model()
    label_scaler = trained_on.fitted_labelcoder[0]
    expected = label_scaler.inverse_transform(model.predict(features).reshape(-1, 1)).ravel()
    np.testing.assert_allclose(prediction.predictions["infer_0"], expected)
    assert prediction.metrics["infer_0"]["r2"] > 0.2  # a target was given, so it is scored
    assert predictor.splitsets[0].id == splitset.id
    second = Splitset.make([feature.id], predictor_id=predictor.id)
    assert list(second.samples) == ["infer_1"]
    unlabelled = second.infer()
    assert unlabelled.metrics is None and len(unlabelled.predictions["infer_1"]) == 42


def test_an_inference_prediction_as_a_table(predictor_and_frame):
    from assay.mlops import Inference

    predictor, frame, _ = predictor_and_frame
    new = frame.iloc[400:].drop(columns="target").reset_index(drop=True)
    prediction = Inference(predictor, new)
    table = prediction.to_df()  # its one split, whatever its infer_<n> key
    assert list(table.columns) == ["target"] and list(table.index) == list(range(len(new)))
    np.testing.assert_array_equal(table["target"], prediction.predictions["infer_0"])
    again = Inference(predictor, new.iloc[::-1].reset_index(drop=True)).to_df()
    np.testing.assert_allclose(again["target"], table["target"][::-1])


def test_inference_needs_matching_features(predictor_and_frame):
    predictor, frame, _ = predictor_and_frame
    other = Dataset.Tabular.from_df(frame.iloc[400:, :3].reset_index(drop=True))
    with pytest.raises(InvalidArgument, match="trained on"):
        Splitset.make([Feature.from_dataset(other.id).id], predictor_id=predictor.id)
    training = Splitset.make([Feature.from_dataset(other.id).id], size_test=0.2)
    with pytest.raises(InvalidArgument, match="not an inference Splitset"):
        training.infer()
