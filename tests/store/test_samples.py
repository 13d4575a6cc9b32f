"""The samples-cache service: which steps and fitted coders apply to a set of splits."""

import numpy as np
import pytest
from sklearn.datasets import load_diabetes
from sklearn.preprocessing import StandardScaler

from assay.errors import InvalidArgument
from assay.orm import (
    Algorithm,
    Dataset,
    Feature,
    FeatureCoder,
    Fold,
    Label,
    LabelCoder,
    Queue,
    Splitset,
)
from assay.store.samples import SplitArrays, read_split, resolve_preprocessing


def build(features_shape, label_shape, **hp):
    from sklearn.linear_model import LinearRegression

    return LinearRegression()


def train(model, loser, optimizer, train_features, train_label, eval_features, eval_label, **hp):
    return model.fit(train_features, train_label.ravel())


def scaled_diabetes(fold_count=None):
    frame = load_diabetes(as_frame=True).frame
    dataset = Dataset.Tabular.from_df(frame.iloc[:400])
    feature = Feature.from_dataset(dataset.id, exclude_columns=["target"])
    FeatureCoder.from_feature(feature.id, StandardScaler(), verbose=False)
    label = Label.from_dataset(dataset.id, columns=["target"])
    LabelCoder.from_label(label.id, StandardScaler())
    splitset = Splitset.make([feature.id], label.id, size_test=0.25, fold_count=fold_count)
    return frame, feature, label, splitset


def test_a_splitset_and_its_folds_each_get_their_own_coders():
    _, feature, label, splitset = scaled_diabetes(fold_count=3)
    own = resolve_preprocessing(splitset)  # never fitted: caches first
    assert own.train_key == "train" and own.has_label and own.feature_ids == [feature.id]
    stored = Splitset.get_by_id(splitset.id)
    np.testing.assert_allclose(
        own.fitted_features[0][0].mean_, stored.fitted_featurecoders[0][0].mean_
    )
    coder, dimension = own.label_decoder()
    np.testing.assert_allclose(coder.mean_, stored.fitted_labelcoder[0].mean_)
    assert dimension == label.labelcoder.encoding_dimension
    means = set()
    for fold in Fold.select_where(Fold.splitset_id == splitset.id):
        steps = resolve_preprocessing(stored, fold)
        assert steps.train_key == "folds_train_combined"
        np.testing.assert_allclose(
            steps.fitted_features[0][0].mean_, fold.fitted_featurecoders[0][0].mean_
        )
        means.add(float(steps.fitted_features[0][0].mean_[0]))
    assert len(means) == 3  # each fold fitted on its own samples
    assert own.feature_names == [feature.encoded_column_names()]
    assert own.class_names is None and own.window_decoder() is None


def test_features_and_labels_read_their_fitted_coders_from_the_newest_splitset():
    _, feature, label, splitset = scaled_diabetes()
    assert feature.fitted_featurecoders is None and label.fitted_labelcoder is None
    splitset.cache_samples()
    newer = Splitset.make(feature_ids=[feature.id], label_id=label.id, size_test=0.5)
    newer.cache_samples()
    stored = Splitset.get_by_id(newer.id)
    read = Feature.get_by_id(feature.id).fitted_featurecoders
    np.testing.assert_allclose(read[0].mean_, stored.fitted_featurecoders[0][0].mean_)
    assert not np.allclose(read[0].mean_, splitset.fitted_featurecoders[0][0].mean_)
    np.testing.assert_allclose(
        Label.get_by_id(label.id).fitted_labelcoder[0].mean_, stored.fitted_labelcoder[0].mean_
    )


def test_inference_takes_the_coders_of_the_fold_its_predictor_trained_on():
    frame, _, _, splitset = scaled_diabetes(fold_count=3)
    algorithm = Algorithm.make("sklearn", "regression", build, train)
    queue = Queue.from_algorithm(algorithm.id, splitset.id, permute_count=0)
    queue.run_jobs(progress=False)
    predictor = queue.predictors[1]
    fold = predictor.job.fold
    new = Dataset.Tabular.from_df(frame.iloc[400:].reset_index(drop=True))
    feature = Feature.from_dataset(new.id, exclude_columns=["target"])
    inference = Splitset.make([feature.id], predictor_id=predictor.id)
    steps = resolve_preprocessing(inference)
    assert steps.train_key is None and not steps.has_label
    np.testing.assert_allclose(
        steps.fitted_features[0][0].mean_, fold.fitted_featurecoders[0][0].mean_
    )
    coder, _ = steps.label_decoder()  # the trained Label's, though these samples have none
    np.testing.assert_allclose(coder.mean_, fold.fitted_labelcoder[0].mean_)
    assert steps.feature_ids == list(splitset.feature_ids)


def test_arrays_read_a_split_and_cache_first_when_cold():
    _, feature, _, splitset = scaled_diabetes(fold_count=3)
    fold = Fold.select_where(Fold.splitset_id == splitset.id)[1]
    arrays = splitset.arrays("fold_validation", fold.id)  # cold: caches every split first
    assert isinstance(arrays, SplitArrays) and Splitset.get_by_id(splitset.id).cache_hot
    features, label = arrays
    assert len(features) == 1 and features[0].shape[1] == len(feature.columns)
    assert len(label) == len(features[0]) == len(fold.samples["fold_validation"])
    again = read_split(splitset, "fold_validation", fold)
    np.testing.assert_array_equal(again.features[0], features[0])
    np.testing.assert_array_equal(
        splitset.fetch_cache("test", "label"), splitset.arrays("test").label
    )
    with pytest.raises(InvalidArgument, match="split must be one of"):
        read_split(splitset, "fold_validation")  # a Fold's split, asked of the Splitset
