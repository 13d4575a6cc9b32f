"""assay.track: status, plots and performance from a run's fn_train and from any process."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import load_iris

from assay import track
from assay.errors import InvalidArgument, NotFound
from assay.orm import Algorithm, Dataset, Feature, Label, Queue, Splitset
from assay.orm.run import Run
from assay.orm.tracking import RunPlot
from assay.store import transaction


def build(features_shape, label_shape, **hp):
    from sklearn.linear_model import SGDClassifier

    return SGDClassifier(loss="log_loss", random_state=0)


def train_reporting(model, loser, optimizer, train_x, train_y, eval_x, eval_y, **hp):
    """Fit epoch by epoch, sending the accuracy curve, performance and (maybe) a status."""
    from assay import track

    classes = np.unique(train_y)
    train_line, eval_line = [], []
    for epoch in range(1, 4):
        model.partial_fit(train_x, train_y.ravel(), classes=classes)
        train_line.append([epoch, model.score(train_x, train_y.ravel())])
        eval_line.append([epoch, model.score(eval_x, eval_y.ravel())])
        plot = {"labels": ["epoch", "accuracy"], "description": "Accuracy by epoch"}
        track.update_plots(True, {"accuracy": {**plot, "train": train_line}})
        track.update_plots(False, {"accuracy": {**plot, "eval": eval_line}})
    track.performance({"accuracy": eval_line[-1][1], "epochs": np.int64(3)})
    if hp["stop"]:
        track.status(7, "stopped by its own code")
    return model


def iris_queue(stop: bool = False) -> Queue:
    dataset = Dataset.Tabular.from_df(load_iris(as_frame=True).frame)
    feature = Feature.from_dataset(dataset.id, exclude_columns=["target"])
    label = Label.from_dataset(dataset.id, columns=["target"])
    splitset = Splitset.make([feature.id], label.id, size_test=0.2, size_validation=0.2)
    algorithm = Algorithm.make("sklearn", "classification_multi", build, train_reporting)
    from assay.orm import Hyperparamset

    hyperparamset = Hyperparamset.from_algorithm(algorithm.id, {"stop": [stop]})
    return Queue.from_algorithm(
        algorithm.id, splitset.id, hyperparamset_id=hyperparamset.id, permute_count=0
    )


def plots_of(run_id: int) -> dict[tuple[str, str], RunPlot]:
    with transaction() as db:
        rows = db.query(RunPlot).filter(RunPlot.run_id == run_id).all()
    return {(row.phase, row.plot): row for row in rows}


def test_fn_train_reports_plots_and_performance_of_its_run(backend):
    queue = iris_queue()
    queue.run_jobs()
    (run,) = Queue.get_by_id(queue.id).runs
    assert run.status == "succeeded"
    plots = plots_of(run.id)
    assert set(plots) == {("train", "accuracy"), ("eval", "accuracy")}
    train = plots["train", "accuracy"]
    assert train.labels == ["epoch", "accuracy"]
    assert train.description == "Accuracy by epoch"
    # sent three times, kept once, with the whole line of the last call
    assert [x for x, _ in train.lines["train"]] == [1, 2, 3]
    assert list(plots["eval", "accuracy"].lines) == ["eval"]
    assert run.performance["epochs"] == 3
    assert 0.0 <= run.performance["accuracy"] <= 1.0


def test_status_from_fn_train_ends_the_run_with_it():
    queue = iris_queue(stop=True)
    queue.run_jobs()
    queue = Queue.get_by_id(queue.id)
    (run,) = queue.runs
    assert (run.status, run.message) == ("stopped", "stopped by its own code")
    assert queue.predictors == []


def test_another_process_tracks_a_run_by_id(backend):
    queue = iris_queue()
    run_id = queue.runs[0].id
    assert track.status("queued", "waiting for a GPU", run=run_id) == "queued"
    assert track.status(5, "out of memory", run=run_id) == "failed"
    run = Run.get_by_id(run_id)
    assert (run.status, run.message) == ("failed", "out of memory")
    assert track.performance({"loss": 0.5}, run=run_id) == {"loss": 0.5}
    assert track.performance({"f1": 0.7}, run=run_id) == {"loss": 0.5, "f1": 0.7}
    plot = {"labels": ["x", "y"], "description": "", "l1": [[1, 2.5]]}
    track.update_plots(True, {"p": plot}, run=run_id)
    track.update_plots(True, {"p": {**plot, "l1": [[1, 2.5], [2, 3.0]]}}, run=run_id)
    assert plots_of(run_id)["train", "p"].lines == {"l1": [[1, 2.5], [2, 3.0]]}


def test_status_errors():
    run_id = iris_queue().runs[0].id
    with pytest.raises(TypeError, match="int"):
        track.status(5.0, run=run_id)
    with pytest.raises(TypeError):
        track.status(None, run=run_id)
    with pytest.raises(InvalidArgument, match=r"5 \(error\), 6 \(queued\) or 7"):
        track.status(3, run=run_id)
    with pytest.raises(InvalidArgument, match="'error', 'queued' or 'stopped'"):
        track.status("done", run=run_id)
    with pytest.raises(InvalidArgument, match="run=<run id>"):
        track.status(5)
    with pytest.raises(NotFound):
        track.status(5, run=run_id + 100)
    assert Run.get_by_id(run_id).status == "queued"


@pytest.mark.parametrize(
    ("plots", "message"),
    [
        ([], "non-empty dict"),
        ({"acc": [1, 2]}, r"plots\['acc'\] must be a dict"),
        ({"acc": {"description": ""}}, r"plots\['acc'\] has no 'labels'"),
        ({"acc": {"labels": ["x", "y"]}}, r"plots\['acc'\] has no 'description'"),
        ({"acc": {"labels": ["x"], "description": ""}}, r"\['labels'\] must be \[x label"),
        ({"acc": {"labels": ["x", "y"], "description": 3}}, r"\['description'\] must be a str"),
        ({"acc": {"labels": ["x", "y"], "description": "", "l1": 5}}, r"\['l1'\] must be a list"),
        (
            {"acc": {"labels": ["x", "y"], "description": "", "l1": [[1, 2], [3]]}},
            r"plots\['acc'\]\['l1'\]\[1\] must be an \[x, y\] pair",
        ),
        (
            {"acc": {"labels": ["x", "y"], "description": "", "l1": [[1, float("nan")]]}},
            r"\[0\] must be an \[x, y\] pair of finite numbers",
        ),
    ],
)
def test_update_plots_refuses_other_formats_and_writes_nothing(plots, message):
    run_id = iris_queue().runs[0].id
    good = {"ok": {"labels": ["x", "y"], "description": "", "l1": [[1, 1]]}}
    with pytest.raises(InvalidArgument, match=message):
        track.update_plots(
            True, {**good, **plots} if isinstance(plots, dict) else plots, run=run_id
        )
    assert plots_of(run_id) == {}


def test_update_plots_and_performance_argument_errors():
    run_id = iris_queue().runs[0].id
    plot = {"p": {"labels": ["x", "y"], "description": ""}}
    with pytest.raises(InvalidArgument, match="train_or_eval must be True"):
        track.update_plots("train", plot, run=run_id)
    with pytest.raises(InvalidArgument, match="run must be a run id"):
        track.update_plots(True, plot, run="7")
    with pytest.raises(InvalidArgument, match="values must be JSON"):
        track.performance({"model": object()}, run=run_id)
    with pytest.raises(InvalidArgument, match="non-empty dict"):
        track.performance([("a", 1)], run=run_id)
    assert Run.get_by_id(run_id).performance is None
