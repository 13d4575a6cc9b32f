"""New samples for a trained Predictor: the forms Inference takes, and predicting in memory."""

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression, Ridge
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


def _rows_in_every_table() -> dict[str, int]:
    from sqlalchemy import func, select

    from assay.orm.base import Base
    from assay.store import reading

    with reading() as db:
        return {
            table.name: db.scalar(select(func.count()).select_from(table))
            for table in Base.metadata.sorted_tables
        }


def _files_under(folder) -> list:
    return sorted(path for path in folder.rglob("*")) if folder.exists() else []


@pytest.fixture
def imputing_predictor(backend):
    from sklearn.impute import SimpleImputer

    return train(
        Input(
            iris(),
            imputers=Input.Imputer(SimpleImputer(strategy="median")),
            encoders=Input.Encoder(StandardScaler()),
        )
    )


def test_predict_writes_nothing_and_returns_what_inference_would(imputing_predictor, metastore):
    from assay.config import cache_dir

    predictor = imputing_predictor
    new = iris().drop(columns="species").iloc[1::7].reset_index(drop=True)
    new.iloc[[0, 3], [1, 2]] = np.nan  # the fitted imputer fills these, in memory
    rows, files = _rows_in_every_table(), _files_under(metastore)
    served = predictor.predict(new)
    assert _rows_in_every_table() == rows  # no row in any table
    assert _files_under(metastore) == files  # no samples cache folder either
    assert cache_dir().is_relative_to(metastore)
    assert list(served.columns) == ["species", "p_setosa", "p_versicolor", "p_virginica"]
    pd.testing.assert_frame_equal(served, Inference(predictor, new).to_df())
    pd.testing.assert_frame_equal(predictor.predict(new.to_dict("records")), served)
    one = predictor.predict(new.to_dict("records")[3])
    assert one["species"][0] == served["species"][3]


def test_predict_refuses_what_inference_refuses(predictor):
    new = iris().drop(columns="species").head(5)
    rows = _rows_in_every_table()
    gaps = new.copy()
    gaps.iloc[2, 0] = np.nan  # trained without an imputer: nothing can fill it
    with pytest.raises(InvalidArgument, match=r"missing values \{'sepal length \(cm\)': 1\}"):
        predictor.predict(gaps)
    with pytest.raises(InvalidArgument, match=r"missing values"):
        Inference(predictor, gaps)
    with pytest.raises(InvalidArgument, match=r"lacks the columns \['sepal width \(cm\)'\]"):
        predictor.predict(new.drop(columns="sepal width (cm)"))
    with pytest.raises(InvalidArgument, match="no column names"):
        predictor.predict(new.to_numpy().tolist())
    with pytest.raises(InvalidArgument, match="Read it first"):
        predictor.predict("new.csv")
    assert _rows_in_every_table() == rows


def test_predict_with_several_features():
    frame = iris()
    predictor = train(
        Input(frame, include_columns=MEASUREMENTS[:2]),
        Input(frame, include_columns=MEASUREMENTS[2:]),
    )
    new = frame[MEASUREMENTS].iloc[::9].reset_index(drop=True)
    pd.testing.assert_frame_equal(
        predictor.predict([new, new.to_dict("list")]), Inference(predictor, [new, new]).to_df()
    )
    with pytest.raises(InvalidArgument, match="as many samples"):
        predictor.predict([new, new.head(3)])
    as_text = new.astype({"sepal width (cm)": str})  # no coder of the Predictor encodes it
    with pytest.raises(
        InvalidArgument, match=r"data\[0\]'s columns \{'sepal width \(cm\)': 'str'\}"
    ):
        predictor.predict([as_text, new])


class Flat(Ridge):
    """A ridge regression from each window to its future, both flattened."""

    def fit(self, X, y):
        self.future_shape_ = y.shape[1:]
        return super().fit(X.reshape(len(X), -1), y.reshape(len(y), -1))

    def predict(self, X):
        return super().predict(X.reshape(len(X), -1)).reshape(len(X), *self.future_shape_)


def fn_build_flat(features_shape, label_shape, **hp):
    return Flat()


def fn_train_flat(
    model, loser, optimizer, train_features, train_label, eval_features, eval_label, **hp
):
    return model.fit(train_features, train_label)


def test_predict_cuts_a_windowed_series_as_inference_does():
    steps = np.arange(160, dtype=np.float64)
    series = pd.DataFrame({"level": np.sin(steps / 6) * 10 + 50, "season": steps % 12})
    splitset = Pipeline(
        Input(
            series.iloc[:120],
            window=Input.Window(size_window=10, size_shift=3),
            encoders=Input.Encoder(StandardScaler()),
        ),
        stratifier=Stratifier(size_test=0.2),
    )
    queue = Experiment(
        Architecture("sklearn", "regression", fn_build_flat, fn_train_flat),
        Trainer(splitset, permute_count=0),
    )
    queue.run_jobs(progress=False)
    predictor = queue.predictors[0]
    new = series.iloc[120:].reset_index(drop=True)  # 40 steps: 10 windows, the latest last
    served = predictor.predict(new)
    expected = Inference(predictor, new).to_df()
    assert list(served.columns) == ["prediction"] and len(served) == len(expected) == 11
    futures = np.stack(served["prediction"])
    assert futures.shape == (11, 3, 2)  # each window's future, in the series' own units
    np.testing.assert_allclose(futures, np.stack(expected["prediction"]))
    assert 35 < futures[..., 0].mean() < 65
