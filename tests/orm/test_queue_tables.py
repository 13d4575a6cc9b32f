"""A Queue's results tables and its best model, on iris with a scikit-learn LogisticRegression."""

import pytest
from sklearn.datasets import load_iris
from sklearn.preprocessing import StandardScaler

from assay.errors import InvalidArgument
from assay.orm import (
    Algorithm,
    Dataset,
    Feature,
    FeatureCoder,
    Hyperparamset,
    Label,
    Predictor,
    Queue,
    Splitset,
)

METRIC_COLUMNS_START = 6  # after METRICS_ID_COLUMNS


def build(features_shape, label_shape, **hp):
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=hp["C"], max_iter=500)


def train(model, loser, optimizer, train_features, train_label, eval_features, eval_label, **hp):
    return model.fit(train_features, train_label.ravel())


def iris_queue(
    *, fold_count=None, size_validation=None, repeat_count=1, run=True, fn_train=train, refit=False
):
    frame = load_iris(as_frame=True).frame
    dataset = Dataset.Tabular.from_df(frame)
    feature = Feature.from_dataset(dataset.id, exclude_columns=["target"])
    FeatureCoder.from_feature(feature.id, StandardScaler(), verbose=False)
    label = Label.from_dataset(dataset.id, columns=["target"])
    splitset = Splitset.make(
        [feature.id],
        label.id,
        size_test=0.2,
        size_validation=size_validation,
        fold_count=fold_count,
    )
    algorithm = Algorithm.make("sklearn", "classification_multi", build, fn_train)
    # C=0.001 underfits badly: the tables must rank C=1.0 first.
    hyperparamset = Hyperparamset.from_algorithm(algorithm.id, {"C": [0.001, 1.0]})
    queue = Queue.from_algorithm(
        algorithm.id,
        splitset.id,
        repeat_count=repeat_count,
        hyperparamset_id=hyperparamset.id,
        permute_count=0,
        refit=refit,
    )
    if run:
        queue.run_jobs(progress=False)
    return queue


@pytest.fixture
def folded(backend):
    """2 combinations x 2 folds: four models."""
    return iris_queue(fold_count=2)


@pytest.fixture
def validated():
    """2 combinations, a validation split, 2 repeats each: four models."""
    return iris_queue(size_validation=0.2, repeat_count=2)


# -- metrics_df ---------------------------------------------------------------------------


def test_metrics_df_filters_by_split(folded):
    frame = folded.metrics_df(split="fold_validation")
    assert len(frame) == 4 and set(frame["split"]) == {"fold_validation"}
    both = Queue.metrics_df(folded.id, split=["test", "fold_validation"])
    assert len(both) == 8 and set(both["split"]) == {"test", "fold_validation"}
    assert len(folded.metrics_df()) == 12
    with pytest.raises(InvalidArgument, match=r"split.*'fold_validation'.*'test'") as raised:
        folded.metrics_df(split="validation")
    assert "folds_train_combined" in str(raised.value)


def test_metrics_df_adds_the_hyperparameters_as_columns(folded):
    frame = folded.metrics_df(split="test", hyperparameters=True, selected_metrics=["accuracy"])
    assert list(frame.columns) == [
        "predictor_id",
        "job_id",
        "hyperparamcombo_id",
        "fold_id",
        "repeat_index",
        "split",
        "C",
        "accuracy",
    ]
    assert sorted(frame["C"]) == [0.001, 0.001, 1.0, 1.0]
    assert "C" not in folded.metrics_df().columns


def test_an_unknown_selected_metric_is_an_error(folded):
    with pytest.raises(InvalidArgument, match=r"selected_metrics.*'acuracy'.*'accuracy'"):
        folded.metrics_df(selected_metrics=["acuracy"])
    frame = folded.metrics_df(selected_metrics=["loss", "accuracy"], sort_by="accuracy")
    assert list(frame.columns[METRIC_COLUMNS_START:]) == ["loss", "accuracy"]
    assert frame["accuracy"].is_monotonic_decreasing


def test_tables_before_training_are_empty():
    queue = iris_queue(run=False)
    assert queue.metrics_df().empty and queue.metrics_df(split="test").empty
    assert queue.metricsAggregate_df(selected_metrics=["accuracy"]).empty


# -- metricsAggregate_df ------------------------------------------------------------------


def test_aggregate_is_the_cross_validated_score_of_each_combination(folded):
    summary = folded.metricsAggregate_df(
        split="fold_validation", selected_metrics=["accuracy"], hyperparameters=True
    )
    assert list(summary.columns) == [
        "hyperparamcombo_id",
        "C",
        "split",
        "metric",
        "count",
        "mean",
        "median",
        "std",
        "min",
        "max",
    ]
    assert summary["C"].tolist() == [0.001, 1.0] and summary["count"].tolist() == [2, 2]
    per_fold = folded.metrics_df(split="fold_validation", hyperparameters=True)
    for row in summary.itertuples():
        scores = per_fold.loc[per_fold["C"] == row.C, "accuracy"]
        assert row.mean == pytest.approx(scores.mean())
        assert row.std == pytest.approx(scores.std(ddof=0))
    assert summary["mean"].iloc[1] > summary["mean"].iloc[0]  # C=1.0 beats C=0.001
    every = folded.metricsAggregate_df(selected_stats=["mean"], sort_by="mean")
    assert len(every) == 2 * 3 * len(per_fold.columns[METRIC_COLUMNS_START + 1 :])
    assert list(every.columns) == ["hyperparamcombo_id", "split", "metric", "mean"]


def test_aggregate_over_repeats_without_folds(validated):
    summary = validated.metricsAggregate_df(split="validation", selected_stats=["count", "std"])
    assert set(summary["count"]) == {2} and set(summary["split"]) == {"validation"}
    assert len(summary) == 2 * len(summary["metric"].unique())


def test_aggregate_refuses_unknown_names(folded):
    with pytest.raises(InvalidArgument, match=r"selected_metrics.*\['acc'\].*'accuracy'"):
        folded.metricsAggregate_df(selected_metrics=["acc"])
    with pytest.raises(InvalidArgument, match=r"selected_stats.*\['average'\].*'mean'"):
        folded.metricsAggregate_df(selected_stats=["average"])
    with pytest.raises(InvalidArgument, match=r"split.*'fold_validation'"):
        folded.metricsAggregate_df(split="validation")


# -- best_predictor -----------------------------------------------------------------------


def test_best_predictor_with_folds_is_the_best_fold_of_the_best_combination(folded):
    frame = folded.metrics_df(split="fold_validation", hyperparameters=True)
    best = folded.best_predictor()
    assert isinstance(best, Predictor)
    assert best.get_hyperparameters(as_pandas=False) == {"C": 1.0}
    mine = frame[frame["C"] == 1.0]
    assert best.id == mine.sort_values("accuracy", ascending=False)["predictor_id"].iloc[0]
    assert Queue.best_predictor(folded.id, metric="loss").job.hyperparameters() == {"C": 1.0}
    worst = folded.best_predictor(metric="loss", goal="maximize")
    assert worst.get_hyperparameters(as_pandas=False) == {"C": 0.001}
    on_test = folded.best_predictor(split="test")
    assert on_test.id in set(frame["predictor_id"])


def test_best_predictor_judges_on_validation_by_default(validated):
    frame = validated.metrics_df(split="validation", hyperparameters=True)
    best = validated.best_predictor()
    means = frame.groupby("C")["accuracy"].mean()
    assert best.get_hyperparameters(as_pandas=False) == {"C": float(means.idxmax())}
    same = frame[frame["C"] == means.idxmax()]
    assert same.loc[same["predictor_id"] == best.id, "accuracy"].iloc[0] == same["accuracy"].max()


def test_best_predictor_errors_say_what_to_do(folded):
    with pytest.raises(InvalidArgument, match=r"metric: no metrics named \['acc'\].*'accuracy'"):
        folded.best_predictor(metric="acc")
    with pytest.raises(InvalidArgument, match=r"split.*'fold_validation'"):
        folded.best_predictor(split="validation")
    with pytest.raises(InvalidArgument, match="goal must be one of"):
        folded.best_predictor(goal="up")
    untrained = iris_queue(run=False)
    with pytest.raises(InvalidArgument, match=f"Queue {untrained.id} has no trained models yet"):
        untrained.best_predictor()


# -- refit_best ---------------------------------------------------------------------------


def test_refit_best_trains_the_best_combination_without_a_fold(folded):
    before = folded.metricsAggregate_df(split="fold_validation", selected_metrics=["accuracy"])
    refit = folded.refit_best(progress=False)
    assert refit.job.fold_id is None and refit.job.hyperparameters() == {"C": 1.0}
    assert folded.refit_best(progress=False).id == refit.id  # once per combination
    assert folded.best_predictor().id == refit.id
    assert Queue.get_by_id(folded.id).total_runs == 5 and len(folded.predictors) == 5
    rows = folded.metrics_df(split="test")
    assert rows.loc[rows["predictor_id"] == refit.id, "fold_id"].isna().all()
    after = folded.metricsAggregate_df(split="fold_validation", selected_metrics=["accuracy"])
    assert after.equals(before)  # the refit is not one of the folds
    tested = folded.metricsAggregate_df(split="test", selected_stats=["count"])
    assert set(tested["count"]) == {2}


def test_refit_best_needs_folds_and_finished_folds(validated):
    with pytest.raises(InvalidArgument, match="no folds"):
        validated.refit_best(progress=False)
    untrained = iris_queue(fold_count=2, run=False)
    with pytest.raises(InvalidArgument, match="4 fold run"):
        untrained.refit_best(progress=False)


def train_small_c_fails(
    model, loser, optimizer, train_features, train_label, eval_features, eval_label, **hp
):
    if hp["C"] < 0.01:
        raise RuntimeError("C too small")
    return model.fit(train_features, train_label.ravel())


def test_a_refit_queue_with_a_failed_fold_waits_and_says_so(capsys):
    queue = iris_queue(fold_count=2, fn_train=train_small_c_fails, refit=True)
    assert "the refit waits until every fold run has succeeded" in capsys.readouterr().err
    assert Queue.get_by_id(queue.id).total_runs == 4 and not queue.refit_jobs()
    assert queue.best_predictor().job.fold_id is not None
