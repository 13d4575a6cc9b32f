"""Training end to end: Algorithms of each library, queued, run, stored and reloaded."""

import os
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest
from sklearn.datasets import load_diabetes, load_iris
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler

from assay.errors import InvalidArgument
from assay.orm import (
    Algorithm,
    Dataset,
    Feature,
    FeatureCoder,
    Hyperparamset,
    Label,
    LabelCoder,
    Predictor,
    Queue,
    Run,
    Splitset,
)


def pipeline(loader, *, fold_count=None, label_coder=None, size_validation=None, bin_count=None):
    frame = loader(as_frame=True).frame
    dataset = Dataset.Tabular.from_df(frame)
    feature = Feature.from_dataset(dataset.id, exclude_columns=["target"])
    FeatureCoder.from_feature(feature.id, StandardScaler(), verbose=False)
    label = Label.from_dataset(dataset.id, columns=["target"])
    if label_coder is not None:
        LabelCoder.from_label(label.id, label_coder)
    return Splitset.make(
        [feature.id],
        label.id,
        size_test=0.2,
        size_validation=size_validation,
        fold_count=fold_count,
        bin_count=bin_count,
    )


# -- scikit-learn -------------------------------------------------------------------------


def sk_build(features_shape, label_shape, **hp):
    from sklearn.linear_model import Ridge

    return Ridge(alpha=hp.get("alpha", 1.0))


def sk_train(model, loser, optimizer, train_features, train_label, eval_features, eval_label, **hp):
    return model.fit(train_features, train_label.ravel())


def test_sklearn_regression_runs_and_stores_metrics(backend):
    splitset = pipeline(load_diabetes, label_coder=StandardScaler(), bin_count=4)
    algorithm = Algorithm.make("sklearn", "regression", sk_build, sk_train)
    hyperparamset = Hyperparamset.from_algorithm(algorithm.id, {"alpha": [0.1, 10.0]})
    queue = Queue.from_algorithm(
        algorithm.id,
        splitset.id,
        repeat_count=2,
        hyperparamset_id=hyperparamset.id,
        permute_count=2,
    )
    assert queue.total_runs == 4 and len(queue.jobs) == 2
    queue.run_jobs(progress=False)
    assert Queue.get_by_id(queue.id).runs_completed == 4
    assert queue.status_counts()["succeeded"] == 4
    predictor = queue.predictors[0]
    prediction = predictor.predictions[0]
    assert set(prediction.metrics) == {"train", "test"}
    assert {"r2", "mse", "rmse", "mae", "explained_variance", "loss"} <= set(
        prediction.metrics["test"]
    )
    # predictions are decoded back to the label's scale (diabetes targets are 25..346)
    assert prediction.predictions["test"].min() > 0 and prediction.predictions["test"].max() > 100
    assert prediction.metrics["test"]["r2"] > 0.2
    assert prediction.feature_importance is not None and prediction.permute_count == 2
    frame = prediction.importance_df(top_n=3)
    assert len(frame) == 3 and frame["median"].is_monotonic_increasing
    assert queue.metrics_df(sort_by="r2").shape[0] == 8
    aggregate = queue.metricsAggregate_df(selected_stats=["mean", "max"], split="test")
    assert list(aggregate.columns) == ["hyperparamcombo_id", "split", "metric", "mean", "max"]
    assert len(aggregate) == 2 * 6  # each combination's 6 metrics over its 2 repeats
    assert predictor.get_hyperparameters(as_pandas=False) in ({"alpha": 0.1}, {"alpha": 10.0})
    model = predictor.get_model()
    x, _ = splitset.to_numpy("test")
    assert model.predict(x).shape == (len(x),)


def failing_train(
    model, loser, optimizer, train_features, train_label, eval_features, eval_label, **hp
):
    if hp["alpha"] > 1:
        raise RuntimeError("this learning rate diverges")
    return model.fit(train_features, train_label.ravel())


def test_a_failing_run_is_recorded_and_the_queue_goes_on(backend, capsys):
    splitset = pipeline(load_diabetes)
    algorithm = Algorithm.make("sklearn", "regression", sk_build, failing_train)
    hyperparamset = Hyperparamset.from_algorithm(algorithm.id, {"alpha": [10.0, 0.5]})
    queue = Queue.from_algorithm(
        algorithm.id, splitset.id, hyperparamset_id=hyperparamset.id, permute_count=0
    )
    queue.run_jobs(progress=False)
    runs = queue.runs
    assert [run.status for run in runs] == ["failed", "succeeded"]
    assert "this learning rate diverges" in runs[0].message
    assert "RuntimeError" in runs[0].traceback
    assert "1 run(s) failed" in capsys.readouterr().err
    assert len(queue.predictors) == 1
    # running again retries only what did not succeed
    queue.run_jobs(progress=False)
    assert len(queue.predictors) == 1 and Queue.get_by_id(queue.id).runs_completed == 1


# -- PyTorch ------------------------------------------------------------------------------


def torch_build(features_shape, label_shape, **hp):
    import torch

    return torch.nn.Sequential(
        torch.nn.Linear(features_shape[0], hp["neurons"]),
        torch.nn.ReLU(),
        torch.nn.Linear(hp["neurons"], label_shape[0]),
        torch.nn.Softmax(dim=1),
    )


def torch_lose(**hp):
    import torch

    return torch.nn.CrossEntropyLoss()


def torch_train(
    model, loser, optimizer, train_features, train_label, eval_features, eval_label, **hp
):
    import torchmetrics

    from assay.utils.pytorch import fit

    return fit(
        model,
        loser,
        optimizer,
        train_features,
        train_label,
        eval_features,
        eval_label,
        epochs=hp["epochs"],
        batch_size=8,
        metrics=[torchmetrics.Accuracy(task="multiclass", num_classes=3)],
    )


def test_pytorch_multiclass_with_folds(backend):
    splitset = pipeline(load_iris, fold_count=3, label_coder=OneHotEncoder())
    algorithm = Algorithm.make(
        "pytorch", "classification_multi", torch_build, torch_train, fn_lose=torch_lose
    )
    hyperparamset = Hyperparamset.from_algorithm(algorithm.id, {"neurons": [12], "epochs": [15]})
    queue = Queue.from_algorithm(
        algorithm.id, splitset.id, hyperparamset_id=hyperparamset.id, permute_count=0
    )
    assert queue.total_runs == 3 and {job.fold_id for job in queue.jobs} == {
        f.id for f in splitset.folds
    }
    queue.run_jobs(progress=False)
    predictors = queue.predictors
    assert len(predictors) == 3
    for predictor in predictors:
        assert len(predictor.history["loss"]) == 15 and len(predictor.history["val_accuracy"]) == 15
        prediction = predictor.predictions[0]
        assert set(prediction.metrics) == {"folds_train_combined", "fold_validation", "test"}
        assert prediction.probabilities["test"].shape == (30, 3)
        assert set(prediction.predictions["test"]) <= {0, 1, 2}
        assert predictor.ordered_class_names == [0, 1, 2]
    run = queue.runs[0]
    assert len(run.epochs) == 15 and run.history()["loss"] == pytest.approx(
        predictors[0].history["loss"]
    )
    figure = predictors[0].plot_learning_curve(call_display=False, skip_head=False)
    assert [annotation.text for annotation in figure.layout.annotations] == ["loss", "accuracy"]


def test_pytorch_multiclass_with_an_ordinal_label_builds_one_output_per_class(backend):
    # String species encoded to class indices: one label column, yet fn_build is told the
    # class count, so nn.Linear(neurons, label_shape[0]) needs nothing hard-coded.
    bunch = load_iris(as_frame=True)
    frame = bunch.frame.drop(columns="target")
    frame["species"] = bunch.target_names[bunch.target.to_numpy()]
    dataset = Dataset.Tabular.from_df(frame)
    feature = Feature.from_dataset(dataset.id, exclude_columns=["species"])
    FeatureCoder.from_feature(feature.id, StandardScaler(), verbose=False)
    label = Label.from_dataset(dataset.id, columns=["species"])
    LabelCoder.from_label(label.id, OrdinalEncoder())
    splitset = Splitset.make([feature.id], label.id, size_test=0.2)
    algorithm = Algorithm.make(
        "pytorch", "classification_multi", torch_build, torch_train, fn_lose=torch_lose
    )
    hyperparamset = Hyperparamset.from_algorithm(algorithm.id, {"neurons": [12], "epochs": [5]})
    queue = Queue.from_algorithm(
        algorithm.id, splitset.id, hyperparamset_id=hyperparamset.id, permute_count=0
    )
    queue.run_jobs(progress=False)
    (predictor,) = queue.predictors
    assert predictor.label_shape == (3,)
    prediction = predictor.predictions[0]
    assert prediction.probabilities["test"].shape == (30, 3)
    assert set(prediction.predictions["test"]) <= {"setosa", "versicolor", "virginica"}


def test_build_label_shape_is_the_class_count_only_for_ordinal_multiclass_pytorch():
    from assay.train.adapters import get_adapter

    torch_adapter, names = get_adapter("pytorch"), ["a", "b", "c"]
    assert torch_adapter.build_label_shape((1,), "classification_multi", names) == (3,)
    assert torch_adapter.build_label_shape((3,), "classification_multi", names) == (3,)
    assert torch_adapter.build_label_shape((1,), "classification_binary", ["a", "b"]) == (1,)
    assert torch_adapter.build_label_shape((1,), "regression", None) == (1,)
    assert get_adapter("sklearn").build_label_shape((1,), "classification_multi", names) == (1,)


def test_a_model_saved_by_one_process_loads_in_a_fresh_one(tmp_path):
    splitset = pipeline(load_iris, label_coder=OneHotEncoder())
    algorithm = Algorithm.make(
        "pytorch", "classification_multi", torch_build, torch_train, fn_lose=torch_lose
    )
    hyperparamset = Hyperparamset.from_algorithm(algorithm.id, {"neurons": [8], "epochs": [3]})
    queue = Queue.from_algorithm(
        algorithm.id, splitset.id, hyperparamset_id=hyperparamset.id, permute_count=0
    )
    queue.run_jobs(progress=False)
    predictor = queue.predictors[0]
    x, _ = splitset.to_numpy("test")
    expected = (
        predictor.get_model()(__import__("torch").as_tensor(x, dtype=__import__("torch").float32))
        .detach()
        .numpy()
    )
    np.save(tmp_path / "x.npy", x)
    script = textwrap.dedent(
        f"""
        import numpy as np, torch
        from assay.orm import Predictor
        model = Predictor.get_model({predictor.id})
        x = np.load({str(tmp_path / "x.npy")!r})
        print(repr(model(torch.as_tensor(x, dtype=torch.float32)).detach().numpy().tolist()))
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", script],
        check=True,
        capture_output=True,
        text=True,
        env=os.environ.copy(),
        cwd=tmp_path,
    ).stdout
    np.testing.assert_allclose(np.array(eval(out)), expected, rtol=1e-5)


# -- resuming after SIGKILL ---------------------------------------------------------------

SLOW_QUEUE = textwrap.dedent(
    """
    import signal, sys, time
    # A suite started in the background of a script inherits SIGINT ignored, and Python then
    # never raises KeyboardInterrupt: restore it, as a terminal would have it.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    from sklearn.datasets import load_iris
    from assay.orm import Algorithm, Dataset, Feature, Hyperparamset, Label, Queue, Splitset

    def build(features_shape, label_shape, **hp):
        from sklearn.linear_model import LogisticRegression
        return LogisticRegression(C=hp["C"], max_iter=500)

    def train(model, loser, optimizer, train_features, train_label, eval_features, eval_label, **hp):
        import os, time
        # Where the environment says so, the runs with this C never end: the test that
        # started this process stops it there, at a known point.
        while os.environ.get("BLOCK_AT_C") == str(hp["C"]):
            time.sleep(0.05)
        return model.fit(train_features, train_label.ravel())

    frame = load_iris(as_frame=True).frame
    dataset = Dataset.Tabular.from_df(frame, name="iris")
    feature = Feature.from_dataset(dataset.id, exclude_columns=["target"])
    label = Label.from_dataset(dataset.id, columns=["target"])
    splitset = Splitset.make([feature.id], label.id, size_test=0.2)
    algorithm = Algorithm.make("sklearn", "classification_multi", build, train)
    hyperparamset = Hyperparamset.from_algorithm(algorithm.id, {"C": [0.1, 1.0, 10.0, 100.0]})
    queue = Queue.from_algorithm(algorithm.id, splitset.id, repeat_count=2, hyperparamset_id=hyperparamset.id, permute_count=0)
    print(queue.id, flush=True)
    queue.run_jobs(progress=False)
    """
)


def start_blocking_queue(tmp_path, **popen):
    """Run SLOW_QUEUE in a child until it is stuck in its 5th run (the 4 before succeeded)."""
    script = tmp_path / "slow_queue_script.py"
    script.write_text(SLOW_QUEUE)
    process = subprocess.Popen(
        [sys.executable, str(script)],
        stdout=subprocess.PIPE,
        text=True,
        env=os.environ | {"BLOCK_AT_C": "10.0"},
        **popen,
    )
    queue_id = int(process.stdout.readline())
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        counts = Queue.get_by_id(queue_id).status_counts()
        if counts["succeeded"] == 4 and counts["running"] == 1:
            break
        time.sleep(0.05)
    return process, queue_id


def test_a_killed_queue_resumes_without_duplicates(tmp_path):
    process, queue_id = start_blocking_queue(tmp_path)
    process.send_signal(signal.SIGKILL)
    process.wait()
    queue = Queue.get_by_id(queue_id)
    assert queue.runs_completed == 4 and queue.total_runs == 8
    assert [run.status for run in queue.runs] == ["succeeded"] * 4 + ["running"] + ["queued"] * 3
    queue.run_jobs(progress=False)
    queue = Queue.get_by_id(queue_id)
    assert queue.runs_completed == queue.total_runs == 8
    assert len(queue.predictors) == 8
    pairs = {(p.job_id, p.repeat_index) for p in queue.predictors}
    assert len(pairs) == 8
    assert {run.status for run in queue.runs} == {"succeeded"}


# -- bad arguments ------------------------------------------------------------------------


def test_bad_algorithms_and_queues_are_clear_errors():
    with pytest.raises(InvalidArgument, match="library"):
        Algorithm.make("theano", "regression", sk_build, sk_train)
    with pytest.raises(InvalidArgument, match="analysis_type"):
        Algorithm.make("sklearn", "clustering", sk_build, sk_train)
    with pytest.raises(InvalidArgument, match="fn_train"):
        Algorithm.make("sklearn", "regression", sk_build, lambda model: model)
    splitset = pipeline(load_diabetes)
    binary = Algorithm.make("sklearn", "classification_binary", sk_build, sk_train)
    with pytest.raises(InvalidArgument, match="categorical Label"):
        Queue.from_algorithm(binary.id, splitset.id)
    regression = Algorithm.make("sklearn", "regression", sk_build, sk_train)
    with pytest.raises(InvalidArgument, match="repeat_count"):
        Queue.from_algorithm(regression.id, splitset.id, repeat_count=0)
    with pytest.raises(InvalidArgument, match=r"hyperparameters|list"):
        Hyperparamset.from_algorithm(regression.id, {"alpha": 1.0})
    with pytest.raises(InvalidArgument, match="search_count"):
        Hyperparamset.from_algorithm(
            regression.id, {"alpha": [1.0]}, search_count=1, search_percent=0.5
        )
    assert Queue.select_where() == [] and Hyperparamset.select_where() == []
    iris = pipeline(load_iris)
    with pytest.raises(InvalidArgument, match="at most 2 classes"):
        Queue.from_algorithm(binary.id, iris.id)


def test_bad_names_nan_hyperparameters_and_single_class_labels_are_refused():
    with pytest.raises(InvalidArgument, match=r"name must be a str or None; got int"):
        Algorithm.make("sklearn", "regression", sk_build, sk_train, name=5, description=5)
    with pytest.raises(InvalidArgument, match=r"description must be a str or None; got int"):
        Algorithm.make("sklearn", "regression", sk_build, sk_train, description=5)
    assert Algorithm.select_where() == []
    regression = Algorithm.make("sklearn", "regression", sk_build, sk_train)
    with pytest.raises(InvalidArgument, match=r"hyperparameters\['alpha'\] holds nan"):
        Hyperparamset.from_algorithm(regression.id, {"alpha": [1.0, float("nan")]})
    with pytest.raises(InvalidArgument, match=r"name must be a str or None"):
        Hyperparamset.from_algorithm(regression.id, {"alpha": [1.0]}, name=3)
    assert Hyperparamset.select_where() == []
    frame = load_iris(as_frame=True).frame
    frame = frame[frame["target"] == 1]
    dataset = Dataset.Tabular.from_df(frame)
    feature = Feature.from_dataset(dataset.id, exclude_columns=["target"])
    label = Label.from_dataset(dataset.id, columns=["target"])
    splitset = Splitset.make([feature.id], label.id, size_test=0.2)
    for analysis_type in ("classification_binary", "classification_multi"):
        algorithm = Algorithm.make("sklearn", analysis_type, sk_build, sk_train)
        with pytest.raises(
            InvalidArgument, match=rf"at least 2 classes; Label {label.id} has only the class 1\."
        ):
            Queue.from_algorithm(algorithm.id, splitset.id)
    assert Queue.select_where() == []


def test_get_code_returns_the_source():
    algorithm = Algorithm.make("sklearn", "regression", sk_build, sk_train)
    code = Algorithm.get_code(algorithm.id)
    assert "Ridge(alpha=" in code["fn_build"] and code["fn_predict"] is None
    assert Predictor.select_where() == [] and Run.select_where() == []


def test_ctrl_c_stops_gracefully_and_run_jobs_resumes(tmp_path):
    process, queue_id = start_blocking_queue(tmp_path, stderr=subprocess.PIPE)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert "stopped by the user" in err and "resumes at job 3, repeat 0" in err
    queue = Queue.get_by_id(queue_id)
    assert [run.status for run in queue.runs].count("stopped") == 1
    queue.run_jobs(progress=False)
    assert Queue.get_by_id(queue_id).runs_completed == 8 and len(queue.predictors) == 8
