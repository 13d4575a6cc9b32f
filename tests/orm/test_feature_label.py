import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_digits, load_iris
from sqlalchemy import func, select

from assay.errors import InvalidArgument, NotFound
from assay.orm import Dataset, Feature, Label
from assay.store import reading

pytestmark = pytest.mark.usefixtures("backend")


def count(table) -> int:
    with reading() as db:
        return db.scalar(select(func.count()).select_from(table))


@pytest.fixture
def iris():
    frame = load_iris(as_frame=True).frame
    frame["species"] = load_iris().target_names[frame["target"]]
    return Dataset.Tabular.from_df(frame)


def test_feature_all_include_exclude(iris):
    every = Feature.from_dataset(iris.id)
    assert every.columns == iris.columns and every.columns_excluded is None
    some = Feature.from_dataset(iris.id, include_columns=["petal width (cm)"])
    assert some.columns == ["petal width (cm)"]
    assert len(some.columns_excluded) == 5
    rest = Feature.from_dataset(iris.id, exclude_columns=["target", "species"])
    assert rest.columns_excluded == ["target", "species"]
    assert rest.to_arr().shape == (150, 4)
    assert list(rest.to_df(samples=[0]).columns) == rest.columns
    assert rest.get_dtypes(columns=["sepal length (cm)"]) == {"sepal length (cm)": "float64"}
    with pytest.raises(InvalidArgument, match="do not exist"):
        rest.to_arr(columns=["target"])  # not one of the Feature's columns


def test_feature_of_sequence():
    digits = Dataset.Sequence.from_numpy(load_digits().images[:20])
    feature = Feature.from_dataset(digits.id, include_columns=["0", "7"])
    assert feature.to_arr().shape == (20, 8, 2)


def test_label_single_column(iris):
    label = Label.from_dataset(iris.id, columns=["species"])
    assert label.column_count == 1
    assert label.unique_classes == ["setosa", "versicolor", "virginica"]
    assert label.to_arr().shape == (150, 1)
    numeric = Label.from_dataset(iris.id, columns=["target"])
    assert numeric.unique_classes == [0, 1, 2]
    continuous = Label.from_dataset(iris.id, columns=["sepal length (cm)"])
    assert continuous.unique_classes is None


def test_label_one_hot():
    frame = pd.get_dummies(pd.Series(["a", "b", "c", "a"]), dtype=int)
    dataset = Dataset.Tabular.from_df(frame)
    label = Label.from_dataset(dataset.id)
    assert label.column_count == 3 and label.unique_classes == ["a", "b", "c"]


class TestBadInput:
    def check(self, table, match, call, *args, **kwargs):
        before = count(table)
        with pytest.raises((InvalidArgument, NotFound), match=match):
            call(*args, **kwargs)
        assert count(table) == before

    def test_include_and_exclude(self, iris):
        self.check(
            Feature,
            "cannot be used together",
            Feature.from_dataset,
            iris.id,
            include_columns=["target"],
            exclude_columns=["species"],
        )

    def test_unknown_column(self, iris):
        self.check(
            Feature,
            "include_columns names columns that do not exist: \\['x'\\]",
            Feature.from_dataset,
            iris.id,
            include_columns=["x"],
        )

    def test_duplicated_column(self, iris):
        self.check(
            Feature,
            "more than once",
            Feature.from_dataset,
            iris.id,
            include_columns=["target", "target"],
        )

    def test_exclude_everything(self, iris):
        self.check(
            Feature,
            "excludes every column",
            Feature.from_dataset,
            iris.id,
            exclude_columns=iris.columns,
        )

    def test_missing_dataset(self):
        self.check(Feature, "Dataset with id 42", Feature.from_dataset, 42)

    def test_label_from_sequence(self):
        digits = Dataset.Sequence.from_numpy(np.zeros((2, 3, 4)))
        self.check(Label, "needs a Tabular Dataset", Label.from_dataset, digits.id)

    def test_label_not_one_hot(self, iris):
        self.check(
            Label,
            "must be one-hot",
            Label.from_dataset,
            iris.id,
            columns=["sepal length (cm)", "target"],
        )

    def test_label_rows_with_two_ones(self):
        frame = pd.DataFrame({"a": [1, 1], "b": [0, 1]})
        dataset = Dataset.Tabular.from_df(frame)
        self.check(Label, "row 1 is", Label.from_dataset, dataset.id)

    def test_categorical_label_with_missing_values(self):
        frame = pd.DataFrame({"x": np.arange(8.0), "churn": ["yes", "no"] * 4})
        frame.loc[[2, 5], "churn"] = None
        dataset = Dataset.Tabular.from_df(frame)
        self.check(
            Label,
            r"column 'churn' has 2 missing value\(s\) \(rows \[2, 5\]\).*dropna",
            Label.from_dataset,
            dataset.id,
            columns=["churn"],
        )
        with pytest.raises(InvalidArgument) as info:
            Label.from_dataset(dataset.id, columns=["churn"])
        assert "LabelInterpolater" not in str(info.value)  # it cannot fill classes
