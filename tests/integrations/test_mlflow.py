"""``mlflow``: a trained run's parameters, epochs, metrics and model in a local MLflow store."""

from __future__ import annotations

import pytest

from assay.errors import InvalidArgument
from assay.integrations import load_integrations
from assay.orm import Algorithm, Queue
from tests.registry.formats.models import new_rows, trained
from tests.search.iris_queues import iris_splitset, logistic_train

mlflow = pytest.importorskip("mlflow", reason="pip install 'assay[integrations]' for MLflow")


@pytest.fixture
def store(tmp_path, monkeypatch):
    """A local MLflow file store (MLflow 3 asks for the opt-in to its file backend)."""
    monkeypatch.setenv("MLFLOW_ALLOW_FILE_STORE", "true")
    return (tmp_path / "mlruns").as_uri()


def test_a_trained_run_is_an_mlflow_run_with_its_epochs_metrics_and_model(store):
    with load_integrations(["mlflow"], tracking_uri=store, experiment_name="iris").active():
        predictor = trained("pytorch")
    client = mlflow.MlflowClient(store)
    experiment = client.get_experiment_by_name("iris")
    (run,) = client.search_runs([experiment.experiment_id])
    assert run.info.status == "FINISHED" and run.info.run_name == f"assay run {predictor.run_id}"
    assert run.data.tags["assay.predictor_id"] == str(predictor.id)
    assert run.data.params["assay.library"] == "pytorch"
    assert run.data.params["assay.analysis_type"] == "classification_multi"
    history = client.get_metric_history(run.info.run_id, "loss")
    assert [metric.step for metric in history] == list(range(6))
    assert [metric.value for metric in history] == pytest.approx(predictor.history["loss"])
    (prediction,) = predictor.predictions
    assert run.data.metrics["test_accuracy"] == pytest.approx(
        prediction.metrics["test"]["accuracy"]
    )
    logged = mlflow.pyfunc.load_model(f"{run.info.artifact_uri}/model")
    rows = new_rows()
    assert logged.predict(rows).equals(predictor.predict(rows))


def failing_build(features_shape, label_shape, **hp):
    raise RuntimeError("no model today")


def test_a_failed_run_ends_failed_with_its_message(store):
    splitset = iris_splitset()
    algorithm = Algorithm.make("sklearn", "classification_multi", failing_build, logistic_train)
    queue = Queue.from_algorithm(algorithm.id, splitset.id, permute_count=0)
    with load_integrations(["mlflow"], tracking_uri=store).active():
        queue.run_jobs(progress=False)
    client = mlflow.MlflowClient(store)
    (run,) = client.search_runs([client.get_experiment_by_name("assay").experiment_id])
    assert run.info.status == "FAILED"
    assert "no model today" in run.data.tags["assay.message"]
    assert "assay.predictor_id" not in run.data.tags


def test_bad_options_are_refused_before_anything_is_logged(store):
    with pytest.raises(InvalidArgument, match="experiment_name must be a non-empty str"):
        load_integrations(["mlflow"], tracking_uri=store, experiment_name="")
    with pytest.raises(InvalidArgument, match=r"MlflowIntegration takes \['tracking_uri'"):
        load_integrations(["mlflow"], options={"mlflow": {"uri": store}})


def test_hooks_outside_training_go_to_one_run_per_command(store):
    import pandas as pd
    import plotly.graph_objects as go

    (integration,) = load_integrations(["mlflow"], tracking_uri=store, experiment_name="cmd")
    integration.experiment(config={"trainer": {"epochs": 3}, "combiner": {"type": "concat"}})
    integration.test(metrics={"test": {"accuracy": 0.75, "labels": ["a", "b"]}})
    integration.predict_end(predictions=pd.DataFrame({"species": ["setosa"]}), metrics=None)
    integration.visualize_figure(figure=go.Figure(go.Scatter(x=[0, 1], y=[0, 1])), name="roc")
    runs = dict(integration.commands)
    integration.close()
    client = mlflow.MlflowClient(store)
    experiment = client.get_run(runs["experiment"])
    assert experiment.data.params == {"trainer.epochs": "3", "combiner.type": "concat"}
    assert client.get_run(runs["evaluate"]).data.metrics == {"test_accuracy": 0.75}
    assert [f.path for f in client.list_artifacts(runs["predict"])] == ["predictions.csv"]
    assert [f.path for f in client.list_artifacts(runs["visualize"], "figures")] == [
        "figures/roc.html"
    ]
    assert {client.get_run(run).info.status for run in runs.values()} == {"FINISHED"}
