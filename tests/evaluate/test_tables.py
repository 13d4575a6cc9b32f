"""The metrics tables from plain values: no metastore."""

import math

import numpy as np
import pytest

from assay.errors import InvalidArgument
from assay.evaluate.tables import (
    AGGREGATE_ID_COLUMNS,
    METRICS_ID_COLUMNS,
    STATISTICS,
    ModelScores,
    aggregate_frame,
    best_model,
    evaluation_split,
    metric_goal,
    metrics_frame,
    sort_frame,
    statistics,
)


def model(predictor_id, combo, fold, scores, hp=None, repeat=0):
    """A model with ``scores``: ``{split: accuracy}``; loss is 1 - accuracy."""
    return ModelScores(
        predictor_id=predictor_id,
        job_id=10 + predictor_id,
        hyperparamcombo_id=combo,
        fold_id=fold,
        repeat_index=repeat,
        metrics={split: {"accuracy": value, "loss": 1 - value} for split, value in scores.items()},
        hyperparameters=hp or {},
    )


MODELS = [
    model(1, 1, 1, {"fold_validation": 0.6, "test": 0.7}, {"C": 0.1}),
    model(2, 1, 2, {"fold_validation": 0.8, "test": 0.7}, {"C": 0.1}),
    model(3, 2, 1, {"fold_validation": 0.9, "test": 0.8}, {"C": 1.0}),
    model(4, 2, 2, {"fold_validation": 0.7, "test": 0.9}, {"C": 1.0}),
]


def test_metrics_frame_rows_columns_and_filters():
    frame = metrics_frame(MODELS)
    assert list(frame.columns) == [*METRICS_ID_COLUMNS, "accuracy", "loss"]
    assert len(frame) == 8
    one = metrics_frame(MODELS, split="test", selected_metrics=["loss"])
    assert list(one["split"]) == ["test"] * 4 and list(one.columns)[-1] == "loss"
    assert one["loss"].tolist() == pytest.approx([0.3, 0.3, 0.2, 0.1])
    with pytest.raises(InvalidArgument, match=r"split: no splits named \['train'\]"):
        metrics_frame(MODELS, split="train")
    with pytest.raises(InvalidArgument, match=r"\['roc'\]; the metrics there are"):
        metrics_frame(MODELS, selected_metrics=["accuracy", "roc"])
    with pytest.raises(InvalidArgument, match="non-empty list"):
        metrics_frame(MODELS, split=[])
    assert metrics_frame([]).empty


def test_hyperparameter_columns_never_hide_another_column():
    models = [model(1, 1, None, {"test": 0.5}, {"split": "gini", "loss": "log", "depth": 3})]
    frame = metrics_frame(models, hyperparameters=True)
    assert list(frame.columns) == [
        *METRICS_ID_COLUMNS,
        "hp_split",
        "hp_loss",
        "depth",
        "accuracy",
        "loss",
    ]
    assert frame.loc[0, "split"] == "test" and frame.loc[0, "hp_split"] == "gini"
    assert math.isclose(frame.loc[0, "loss"], 0.5) and frame.loc[0, "hp_loss"] == "log"


def test_sort_frame_names_unknown_columns():
    frame = metrics_frame(MODELS)
    assert sort_frame(frame, "accuracy", True, "metrics_df")["accuracy"].is_monotonic_increasing
    with pytest.raises(InvalidArgument, match=r"sort_by: metrics_df has no column\(s\) \['x'\]"):
        sort_frame(frame, ["accuracy", "x"], True, "metrics_df")


def test_a_metric_a_model_lacks_is_nan():
    models = [*MODELS, ModelScores(5, 15, 3, None, 0, {"test": {"accuracy": 1.0}})]
    frame = metrics_frame(models, split="test")
    assert np.isnan(frame["loss"].iloc[-1]) and frame["accuracy"].iloc[-1] == 1.0


def test_aggregate_frame_summarizes_each_combination_over_its_folds():
    frame = aggregate_frame(MODELS, split="fold_validation", selected_metrics=["accuracy"])
    assert list(frame.columns) == [*AGGREGATE_ID_COLUMNS, *STATISTICS]
    assert frame["hyperparamcombo_id"].tolist() == [1, 2]
    assert frame["mean"].tolist() == pytest.approx([0.7, 0.8])
    assert frame["std"].tolist() == pytest.approx([0.1, 0.1])  # ddof 0, as GridSearchCV
    assert frame["count"].tolist() == [2, 2] and frame["min"].tolist() == pytest.approx([0.6, 0.7])
    wide = aggregate_frame(MODELS, selected_stats=["max", "mean"], hyperparameters=True)
    assert list(wide.columns) == ["hyperparamcombo_id", "C", "split", "metric", "max", "mean"]
    assert len(wide) == 2 * 2 * 2 and wide["C"].tolist()[:4] == [0.1] * 4
    with pytest.raises(InvalidArgument, match=r"selected_stats.*\['mode'\]"):
        aggregate_frame(MODELS, selected_stats=["mode"])


def test_statistics_leave_out_undefined_values():
    assert statistics([0.5, float("nan"), 1.0]) == pytest.approx(
        {"count": 2, "mean": 0.75, "median": 0.75, "std": 0.25, "min": 0.5, "max": 1.0}
    )
    empty = statistics([float("nan")])
    assert empty["count"] == 0 and math.isnan(empty["mean"])


def test_best_model_ranks_combinations_by_their_mean_then_picks_the_best_fold():
    best = best_model(MODELS, "accuracy")
    assert best.split == "fold_validation" and best.goal == "maximize"
    assert best.model.predictor_id == 3 and best.score == pytest.approx(0.8) and best.models == 2
    lucky = [
        model(1, 1, 1, {"fold_validation": 0.95}),
        model(2, 1, 2, {"fold_validation": 0.5}),
        model(3, 2, 1, {"fold_validation": 0.8}),
        model(4, 2, 2, {"fold_validation": 0.8}),
    ]
    assert best_model(lucky, "accuracy").model.predictor_id == 3  # not the lucky fold 1
    assert best_model(MODELS, "loss").model.predictor_id == 3  # minimized
    assert best_model(MODELS, "accuracy", split="test").model.predictor_id == 4
    assert best_model(MODELS, "accuracy", goal="minimize").model.predictor_id == 1


def test_best_model_skips_undefined_scores_and_explains_its_errors():
    undefined = [model(9, 3, 1, {"fold_validation": float("nan"), "test": 1.0})]
    assert best_model([*MODELS, *undefined], "accuracy").model.predictor_id == 3
    with pytest.raises(InvalidArgument, match="undefined"):
        best_model(undefined, "accuracy")
    with pytest.raises(InvalidArgument, match="no trained models"):
        best_model([], "accuracy")
    with pytest.raises(InvalidArgument, match=r"metric: no metrics named \['r2'\]"):
        best_model(MODELS, "r2")
    with pytest.raises(InvalidArgument, match=r"split: no splits named \['validation'\]"):
        best_model(MODELS, "accuracy", split="validation")
    with pytest.raises(InvalidArgument, match="split must be the name of one split"):
        best_model(MODELS, "accuracy", split=["test"])
    with pytest.raises(InvalidArgument, match=r"goal must be one of \['maximize', 'minimize'\]"):
        best_model(MODELS, "accuracy", goal="max")


@pytest.mark.parametrize(
    ("metric", "goal"),
    [
        ("accuracy", "maximize"),
        ("r2", "maximize"),
        ("roc_auc", "maximize"),
        ("f1_macro", "maximize"),
        ("loss", "minimize"),
        ("log_loss", "minimize"),
        ("val_loss", "minimize"),
        ("mse", "minimize"),
        ("rmse", "minimize"),
        ("mae", "minimize"),
        ("mean_absolute_error", "minimize"),
    ],
)
def test_metric_goal_is_inferred_from_the_name(metric, goal):
    assert metric_goal(metric) == goal


def test_evaluation_split_prefers_validation():
    assert evaluation_split(["train", "validation", "test"]) == "validation"
    assert evaluation_split(["folds_train_combined", "fold_validation", "test"]) == (
        "fold_validation"
    )
    assert evaluation_split(["train", "test"]) == "test"
    assert evaluation_split(["train"]) == "train"
    assert evaluation_split(["holdout"]) == "holdout"


def test_a_refit_model_is_chosen_for_its_combination_and_left_out_of_the_summary():
    refit = ModelScores(7, 17, 2, None, 0, {"test": {"accuracy": 0.5, "loss": 0.5}}, refit=True)
    models = [*MODELS, refit]
    assert best_model(models, "accuracy").model.predictor_id == 7
    assert best_model(models, "accuracy", goal="minimize").model.predictor_id == 1
    assert aggregate_frame(models).equals(aggregate_frame(MODELS))
    assert len(metrics_frame(models)) == len(metrics_frame(MODELS)) + 1
