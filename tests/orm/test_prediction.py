"""A Prediction's decoded values, tables and plots, after a queue has trained."""

import numpy as np
import pytest
from sklearn.datasets import load_iris
from sklearn.preprocessing import OrdinalEncoder, StandardScaler

from assay.errors import InvalidArgument
from assay.orm import (
    Algorithm,
    Dataset,
    Feature,
    FeatureCoder,
    Label,
    LabelCoder,
    Prediction,
    Queue,
    Splitset,
)


def build(features_shape, label_shape, **hp):
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(max_iter=500)


def train(model, loser, optimizer, train_features, train_label, eval_features, eval_label, **hp):
    return model.fit(train_features, train_label.ravel())


@pytest.fixture
def trained(backend):
    frame = load_iris(as_frame=True).frame
    frame["species"] = np.array(["setosa", "versicolor", "virginica"], dtype=object)[
        frame.pop("target")
    ]
    dataset = Dataset.Tabular.from_df(frame)
    feature = Feature.from_dataset(dataset.id, exclude_columns=["species"])
    FeatureCoder.from_feature(feature.id, StandardScaler(), verbose=False)
    label = Label.from_dataset(dataset.id, columns=["species"])
    LabelCoder.from_label(label.id, OrdinalEncoder())
    splitset = Splitset.make([feature.id], label.id, size_test=0.3, fold_count=2)
    algorithm = Algorithm.make("sklearn", "classification_multi", build, train)
    queue = Queue.from_algorithm(algorithm.id, splitset.id, permute_count=0)
    queue.run_jobs(progress=False)
    return queue


def test_predictions_are_decoded_to_class_names(trained):
    prediction = trained.predictors[0].predictions[0]
    assert set(prediction.predictions["test"]) <= {"setosa", "versicolor", "virginica"}
    assert trained.predictors[0].ordered_class_names == ["setosa", "versicolor", "virginica"]
    assert trained.predictors[0].ordered_feature_names == [
        ["sepal length (cm)", "sepal width (cm)", "petal length (cm)", "petal width (cm)"]
    ]
    assert set(prediction.metrics) == {"folds_train_combined", "fold_validation", "test"}
    assert (
        prediction.metrics_aggregate["accuracy"]["min"]
        <= prediction.metrics_aggregate["accuracy"]["max"]
    )


def test_plots_of_a_prediction(trained, tmp_path):
    prediction = trained.predictors[0].predictions[0]
    roc = prediction.plot_roc_curve(call_display=False)
    assert any("virginica" in trace.name for trace in roc.data)
    assert prediction.plot_precision_recall(call_display=False).layout.xaxis.title.text == "recall"
    confusion = prediction.plot_confusion_matrix(call_display=False)
    assert [annotation.text for annotation in confusion.layout.annotations] == list(
        prediction.plot_data
    )  # one figure, a heatmap per split
    assert list(confusion.data[0].x) == ["setosa", "versicolor", "virginica"]
    confusion.write_html(tmp_path / "confusion.html", include_plotlyjs=False)
    confidence = prediction.plot_confidence(
        prediction_index=2, split_name="test", call_display=False
    )
    assert confidence.data[0].x.sum() == pytest.approx(1.0)
    with pytest.raises(InvalidArgument, match="split_name"):
        prediction.plot_confidence(split_name="holdout", call_display=False)
    summary = prediction.performance_summary("test")
    assert summary["precision_recall_f1_per_label"].startswith("setosa-")
    assert summary["loss"] == prediction.metrics["test"]["loss"]
    cells = prediction.confusion_records("test")
    assert sum(len(rows) for rows in cells.values()) == len(trained.splitset.samples["test"])
    assert trained.plot_performance(call_display=False).layout.yaxis.title.text == "accuracy"
    with pytest.raises(InvalidArgument, match="history"):
        trained.predictors[0].plot_learning_curve(call_display=False)


def test_feature_importance_after_training(trained, tmp_path):
    prediction = trained.predictors[0].predictions[0]
    with pytest.raises(InvalidArgument, match="calc_featureImportance"):
        prediction.importance_df()
    prediction.calc_featureImportance(permute_count=3)
    frame = prediction.importance_df(top_n=2)
    assert len(frame) == 2 and frame["column"][0].startswith("petal")
    for columns in Prediction.get_by_id(prediction.id).feature_importance.values():
        for values in columns.values():  # impacts (training loss - shuffled loss), not losses
            assert len(values["loss_impacts"]) == 3
            assert values["median"] == np.median(values["loss_impacts"])
    assert max(frame["loss_impacts"][0]) < 0  # shuffling a petal column always raised the loss
    figure = prediction.plot_feature_importance(call_display=False)
    assert figure.layout.title.text.startswith("Feature importance")
    figure.write_html(tmp_path / "importance.html", include_plotlyjs=False)
    aggregate = Queue.metricsAggregate_df(trained.id, selected_metrics=["accuracy"], sort_by="mean")
    assert set(aggregate["metric"]) == {"accuracy"} and len(aggregate) == 3  # 3 splits
    assert set(aggregate["count"]) == {2}  # over the 2 folds' models
    with pytest.raises(InvalidArgument, match="sort_by"):
        trained.metrics_df(sort_by="nope")


def test_raw_class_values_without_a_coder_are_ranked_and_decoded():
    frame = load_iris(as_frame=True).frame
    frame["target"] = frame["target"] * 10 + 1  # classes 1, 11, 21
    dataset = Dataset.Tabular.from_df(frame)
    feature = Feature.from_dataset(dataset.id, exclude_columns=["target"])
    label = Label.from_dataset(dataset.id, columns=["target"])
    splitset = Splitset.make([feature.id], label.id, size_test=0.3)
    algorithm = Algorithm.make("sklearn", "classification_multi", build, train)
    queue = Queue.from_algorithm(algorithm.id, splitset.id, permute_count=0)
    queue.run_jobs(progress=False)
    prediction = queue.predictors[0].predictions[0]
    assert set(prediction.predictions["test"]) <= {1, 11, 21}
    assert prediction.metrics["test"]["accuracy"] > 0.85
    assert prediction.plot_data["test"]["y_true"].max() == 2  # ranks, not raw values


def test_confusion_records_of_fold_splits_are_the_folds_dataset_rows(trained):
    truth = trained.splitset.label.to_df()["species"]
    for predictor in trained.predictors:
        fold = predictor.job.fold
        prediction = predictor.predictions[0]
        for split in ("fold_validation", "test"):
            cells = prediction.confusion_records(split)
            records = sorted(row for rows in cells.values() for row in rows)
            assert records == sorted(fold.samples[split])
            for (true_class, _), rows in cells.items():
                assert set(truth.iloc[rows]) <= {true_class}


def test_a_training_split_as_a_table(trained):
    predictor = trained.predictors[0]
    prediction = predictor.predictions[0]
    with pytest.raises(InvalidArgument, match=r"split is required.*'fold_validation'"):
        prediction.to_df()
    with pytest.raises(InvalidArgument, match="split must be one of"):
        prediction.to_df(split="holdout")
    test = prediction.to_df(split="test")
    assert list(test.columns) == ["species", "p_setosa", "p_versicolor", "p_virginica"]
    assert list(test.index) == trained.splitset.samples["test"]  # the Dataset's rows
    np.testing.assert_array_equal(test["species"], prediction.predictions["test"])
    np.testing.assert_allclose(test.filter(like="p_").sum(axis=1), 1.0)
    validation = prediction.to_df(split="fold_validation")  # a Fold's own split
    assert list(validation.index) == predictor.job.fold.samples["fold_validation"]
