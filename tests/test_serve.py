"""New samples for a trained Predictor: the forms Inference takes, and predicting in memory."""

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import OrdinalEncoder, StandardScaler

from assay.errors import InvalidArgument
from assay.mlops import (
    Architecture,
    Experiment,
    Inference,
    Input,
    Pipeline,
    Stratifier,
    Target,
    Trainer,
)

MEASUREMENTS = ["sepal length (cm)", "sepal width (cm)", "petal length (cm)", "petal width (cm)"]
SPECIES = ["setosa", "versicolor", "virginica"]


def iris() -> pd.DataFrame:
    frame = load_iris(as_frame=True).frame
    frame["species"] = np.array(SPECIES, dtype=object)[frame.pop("target")]
    return frame


class Stacked(LogisticRegression):
    """A logistic regression over several Features' arrays side by side."""

    def fit(self, X, y):
        return super().fit(np.hstack(X) if isinstance(X, list) else X, y)

    def predict_proba(self, X):
        return super().predict_proba(np.hstack(X) if isinstance(X, list) else X)


def fn_build(features_shape, label_shape, **hp):
    return Stacked(max_iter=500)


def fn_train(model, loser, optimizer, train_features, train_label, eval_features, eval_label, **hp):
    return model.fit(train_features, train_label.ravel())


def train(*inputs: Input):
    frame = iris()
    splitset = Pipeline(
        list(inputs),
        Target(frame, column="species", encoder=OrdinalEncoder()),
        Stratifier(size_test=0.2),
    )
    queue = Experiment(
        Architecture("sklearn", "classification_multi", fn_build, fn_train),
        Trainer(splitset, permute_count=0),
    )
    queue.run_jobs(progress=False)
    return queue.predictors[0]


@pytest.fixture
def predictor():
    return train(Input(iris(), encoders=Input.Encoder(StandardScaler())))


def test_a_frame_a_dict_of_columns_and_records_are_one_dataset(predictor):
    new = iris().drop(columns="species").iloc[::15].reset_index(drop=True)  # 10 rows
    expected = Inference(predictor, new).to_df()
    assert len(expected) == 10
    records = new.to_dict("records")
    for value in (records, tuple(records), new.to_dict("list"), [new]):
        pd.testing.assert_frame_equal(Inference(predictor, value).to_df(), expected)
    one = Inference(predictor, records[3]).to_df()  # a single record: one row
    pd.testing.assert_frame_equal(
        one, expected.iloc[[3]].reset_index(drop=True).rename_axis("sample")
    )


def test_only_the_trained_columns_are_taken(predictor):
    new = iris().drop(columns="species").head(4)
    records = [{**record, "comment": "seen at noon"} for record in new.to_dict("records")]
    assert len(Inference(predictor, records).to_df()) == 4
    with pytest.raises(InvalidArgument, match=r"lacks the columns \['petal width \(cm\)'\]"):
        Inference(predictor, new.drop(columns="petal width (cm)").to_dict("records"))


def test_targets_as_records_are_scored(predictor):
    frame = iris().iloc[::10]
    scored = Inference(
        predictor,
        frame[MEASUREMENTS].to_dict("records"),
        target_dataset=frame[["species"]].to_dict("records"),
    )
    assert next(iter(scored.metrics.values()))["accuracy"] > 0.8


def test_lists_that_are_neither_records_nor_datasets_are_refused(predictor):
    new = iris().drop(columns="species").head(3)
    with pytest.raises(InvalidArgument, match="mixes records"):
        Inference(predictor, [new, new.to_dict("records")[0]])
    with pytest.raises(InvalidArgument, match="no column names"):
        Inference(predictor, new.to_numpy().tolist())
    with pytest.raises(InvalidArgument, match="trained on 1 Feature"):
        Inference(predictor, [new, new])


def test_several_features_take_one_dataset_each():
    frame = iris()
    predictor = train(
        Input(frame, include_columns=MEASUREMENTS[:2]),
        Input(frame, include_columns=MEASUREMENTS[2:]),
    )
    new = frame[MEASUREMENTS].head(6)
    expected = Inference(predictor, [new, new]).to_df()
    assert len(expected) == 6
    halves = [new[MEASUREMENTS[:2]].to_dict("list"), new[MEASUREMENTS[2:]].to_dict("list")]
    pd.testing.assert_frame_equal(Inference(predictor, halves).to_df(), expected)
    with pytest.raises(InvalidArgument, match=r"list of records .* is one dataset"):
        Inference(predictor, new.to_dict("records"))
    with pytest.raises(InvalidArgument, match="trained on 2 Feature"):
        Inference(predictor, new)
