"""``--integration mlflow``: each trained run as an MLflow run, with its model.

Per assay run, one MLflow run in the experiment (``experiment_name``, created when missing):
the hyperparameters and what trains them as parameters, each epoch's metrics at their step,
the final metrics of every split (``test_accuracy``, ...), tags naming the assay run, Queue
and Predictor, and the model as an MLflow ``pyfunc`` model (assay's portable ``pkl`` with an ``MLmodel``
naming ``mlflow_pyfunc`` as its loader) under the artifact path ``model``, so that
``mlflow.pyfunc.load_model("runs:/<id>/model")`` predicts raw rows. Hooks outside training (figures,
predictions, evaluations) go to one more run per command, named after it.

Everything goes through ``MlflowClient(tracking_uri)``, never MLflow's process-wide active
run, so that several integrations and threads do not share state. MLflow (``mlflow-skinny``,
the ``integrations`` extra) is imported when the integration is built.
"""

from __future__ import annotations

import numbers
import re
import tempfile
import time
from pathlib import Path
from typing import Any

from assay.errors import InvalidArgument
from assay.integrations.base import Integration

#: What MLflow accepts in a metric or parameter key; anything else becomes ``_``.
_KEY = re.compile(r"[^0-9A-Za-z_\-. /]")
#: MLflow's run status for each of assay's final run statuses.
_STATUS = {"succeeded": "FINISHED", "failed": "FAILED", "stopped": "KILLED"}


class MlflowIntegration(Integration):
    """Logs runs, their metrics and models to an MLflow tracking server or store.

    Args:
        tracking_uri: Where MLflow keeps runs (``sqlite:///mlflow.db``, ``http://host:5000``,
            a ``file:`` folder); None uses MLflow's own default (``MLFLOW_TRACKING_URI``).
        experiment_name: The MLflow experiment runs go to; created when missing.
        log_model: Whether to log each succeeded run's model.
    """

    def __init__(
        self,
        tracking_uri: str | None = None,
        experiment_name: str = "assay",
        log_model: bool = True,
    ) -> None:
        try:
            from mlflow import MlflowClient
        except ImportError as exc:
            raise InvalidArgument(
                "integration 'mlflow' needs MLflow; pip install 'assay[integrations]'."
            ) from exc
        if not isinstance(experiment_name, str) or not experiment_name:
            raise InvalidArgument(
                f"experiment_name must be a non-empty str; got {experiment_name!r}."
            )
        self.client = MlflowClient(tracking_uri)
        self.tracking_uri = self.client.tracking_uri
        self.experiment_name = experiment_name
        self.log_model = log_model
        self._experiment_id: str | None = None
        #: The MLflow run of each assay run being trained: ``{assay run id: MLflow run id}``.
        self.runs: dict[int, str] = {}
        #: The MLflow run of each command's hooks outside training.
        self.commands: dict[str, str] = {}

    # -- training ---------------------------------------------------------------------------

    def train_init(self, **kwargs: Any) -> None:
        """Start an MLflow run for the assay run, with its parameters and tags."""
        run_id = kwargs["run_id"]
        tags = {
            "assay.run_id": str(run_id),
            "assay.queue_id": str(kwargs.get("queue_id")),
            "assay.library": str(kwargs.get("library")),
        }
        run = self.client.create_run(
            self.experiment_id(), run_name=f"assay run {run_id}", tags=tags
        )
        self.runs[run_id] = run.info.run_id
        parameters = dict(kwargs.get("hyperparameters") or {})
        for key in ("library", "analysis_type", "fold_index", "repeat_index"):
            parameters[f"assay.{key}"] = kwargs.get(key)
        self._log(run.info.run_id, params=parameters)

    def train_epoch_end(self, **kwargs: Any) -> None:
        """Log an epoch's metrics at its step."""
        run = self.runs.get(kwargs["run_id"])
        if run is not None:
            self._log(run, metrics=kwargs["metrics"], step=kwargs["epoch"])

    def train_save(self, **kwargs: Any) -> None:
        """Log the final metrics of every split and the model of the stored Predictor."""
        run = self.runs.get(kwargs["run_id"])
        if run is None:
            return
        predictor_id = kwargs["predictor_id"]
        self.client.set_tag(run, "assay.predictor_id", str(predictor_id))
        self._log(run, metrics=split_metrics(kwargs.get("metrics") or {}))
        if self.log_model:
            self._log_model(run, predictor_id)

    def train_end(self, **kwargs: Any) -> None:
        """End the MLflow run with the assay run's status (and why it failed)."""
        run = self.runs.pop(kwargs["run_id"], None)
        if run is None:
            return
        if kwargs.get("message"):
            self.client.set_tag(run, "assay.message", str(kwargs["message"])[:5000])
        self.client.set_terminated(run, status=_STATUS.get(kwargs.get("status"), "FINISHED"))

    # -- outside training -------------------------------------------------------------------

    def experiment(self, **kwargs: Any) -> None:
        """Log an experiment's configuration, flattened, as parameters of its command's run."""
        config = kwargs.get("config")
        if isinstance(config, dict):
            self._log(self.command_run("experiment"), params=flatten(config))

    def test(self, **kwargs: Any) -> None:
        """Log an evaluation's metrics, per split."""
        self._log(self.command_run("evaluate"), metrics=split_metrics(kwargs.get("metrics") or {}))

    def predict_end(self, **kwargs: Any) -> None:
        """Log the predictions as a CSV artifact (and metrics, when there are labels)."""
        run = self.command_run("predict")
        predictions = kwargs.get("predictions")
        if predictions is not None:
            with tempfile.TemporaryDirectory() as folder:
                path = Path(folder) / "predictions.csv"
                predictions.to_csv(path, index=False)
                self.client.log_artifact(run, str(path))
        if kwargs.get("metrics"):
            self._log(run, metrics=split_metrics(kwargs["metrics"]))

    def visualize_figure(self, **kwargs: Any) -> None:
        """Log a figure as an HTML artifact under ``figures/``."""
        name = _KEY.sub("_", str(kwargs.get("name") or "figure"))
        self.client.log_figure(
            self.command_run("visualize"), kwargs["figure"], f"figures/{name}.html"
        )

    def close(self) -> None:
        """End the runs of commands, and any training run left open."""
        for run in [*self.commands.values(), *self.runs.values()]:
            self.client.set_terminated(run, status="FINISHED")
        self.commands.clear()
        self.runs.clear()

    # -- helpers ----------------------------------------------------------------------------

    def experiment_id(self) -> str:
        """The id of the MLflow experiment, created on first use."""
        if self._experiment_id is None:
            found = self.client.get_experiment_by_name(self.experiment_name)
            self._experiment_id = (
                found.experiment_id
                if found is not None
                else self.client.create_experiment(self.experiment_name)
            )
        return self._experiment_id

    def command_run(self, command: str) -> str:
        """The MLflow run of a command's hooks outside training, started on first use."""
        if command not in self.commands:
            run = self.client.create_run(self.experiment_id(), run_name=f"assay {command}")
            self.commands[command] = run.info.run_id
        return self.commands[command]

    def _log(
        self,
        run: str,
        params: dict[str, Any] | None = None,
        metrics: dict[str, float] | None = None,
        step: int = 0,
    ) -> None:
        """Log parameters and metrics in one batch."""
        from mlflow.entities import Metric, Param

        stamp = int(time.time() * 1000)
        self.client.log_batch(
            run,
            metrics=[
                Metric(_KEY.sub("_", str(key)), float(value), stamp, int(step))
                for key, value in (metrics or {}).items()
            ],
            params=[
                Param(_KEY.sub("_", str(key)), str(value)[:6000])
                for key, value in (params or {}).items()
            ],
        )

    def _log_model(self, run: str, predictor_id: int) -> None:
        """Log the Predictor's portable ``pkl`` as an MLflow pyfunc model under ``model``."""
        import mlflow.pyfunc
        from mlflow.models import Model

        from assay.integrations import mlflow_pyfunc
        from assay.orm.predictor import Predictor
        from assay.registry.formats import get_format

        with tempfile.TemporaryDirectory() as folder:
            saved = Path(folder) / "model"
            saved.mkdir()
            get_format("pkl").export(Predictor.get_by_id(predictor_id), saved / mlflow_pyfunc.DATA)
            model = Model(run_id=run)
            mlflow.pyfunc.add_to_model(
                model, loader_module=mlflow_pyfunc.__name__, data=mlflow_pyfunc.DATA
            )
            model.save(str(saved / "MLmodel"))
            (saved / "requirements.txt").write_text("assay\n")
            self.client.log_artifacts(run, str(saved), "model")


def split_metrics(metrics: dict[str, dict[str, Any]]) -> dict[str, float]:
    """``{split: {name: value}}`` as ``{split_name: value}``, numbers only."""
    return {
        f"{split}_{name}": float(value)
        for split, values in metrics.items()
        for name, value in (values or {}).items()
        if isinstance(value, numbers.Real) and not isinstance(value, bool)
    }


def flatten(config: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """A nested configuration as dotted keys: ``{"trainer.epochs": 10}``."""
    flat: dict[str, Any] = {}
    for key, value in config.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, dict):
            flat |= flatten(value, f"{dotted}.")
        else:
            flat[dotted] = value
    return flat
