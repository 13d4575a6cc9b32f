"""Predictor (section 13), Prediction (section 14) and the live history of each run.

A Predictor is a trained model with its history; a Prediction is what it made of a Splitset's
samples: decoded predictions, probabilities and metrics per split (or fold), and optionally
the permutation importance of each column.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, ForeignKey, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from assay.errors import InvalidArgument
from assay.orm.base import BaseModel, Deletable, Pickled, UtcDateTime, id_method, related
from assay.orm.prediction_methods import PredictionEvaluation

if TYPE_CHECKING:
    import pandas as pd
    import plotly.graph_objects as go

    from assay.orm.run import Job
    from assay.orm.splitset import Splitset
    from assay.registry.tables import ModelVersion

if TYPE_CHECKING:
    from assay.evaluate.predict import Evaluation


class EpochMetrics(BaseModel):
    """One epoch of a run's history, written while the model trains."""

    __tablename__ = "epochmetrics"
    __table_args__ = (UniqueConstraint("run_id", "epoch"),)

    epoch: Mapped[int]
    metrics: Mapped[dict] = mapped_column(JSON)
    run_id: Mapped[int] = mapped_column(ForeignKey("run.id", ondelete="CASCADE"), index=True)


class Predictor(Deletable, BaseModel):
    """A trained model: its bytes, the shapes it takes, its history, and the Job behind it."""

    __tablename__ = "predictor"
    __table_args__ = (UniqueConstraint("job_id", "repeat_index"),)

    repeat_index: Mapped[int]
    time_started: Mapped[Any] = mapped_column(UtcDateTime)
    time_succeeded: Mapped[Any] = mapped_column(UtcDateTime)
    time_duration: Mapped[int]
    model_file: Mapped[bytes] = deferred(mapped_column(LargeBinary))
    features_shapes: Mapped[Any] = mapped_column(Pickled)
    label_shape: Mapped[Any] = mapped_column(Pickled, nullable=True)
    history: Mapped[dict] = mapped_column(JSON)
    ordered_class_names: Mapped[list | None] = mapped_column(JSON)
    ordered_feature_names: Mapped[list] = mapped_column(JSON)
    library: Mapped[str] = mapped_column(String(32))
    job_id: Mapped[int] = mapped_column(ForeignKey("job.id", ondelete="CASCADE"), index=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("run.id", ondelete="SET NULL"))

    job_: Mapped[Job] = relationship("Job", viewonly=True)
    predictions_: Mapped[list[Prediction]] = relationship(
        "Prediction", viewonly=True, order_by="Prediction.id"
    )
    # No foreign key: the Splitset table is older than this one (see Splitset.predictor_id).
    splitsets_: Mapped[list[Splitset]] = relationship(
        "Splitset",
        primaryjoin="Predictor.id == foreign(Splitset.predictor_id)",
        viewonly=True,
        order_by="Splitset.id",
    )

    @property
    def job(self) -> Job:
        """The Job that trained this Predictor."""
        return related(self, "job_")

    @property
    def predictions(self) -> list[Prediction]:
        """What this Predictor predicted: its training splits first, then inference."""
        return related(self, "predictions_")

    @property
    def splitsets(self) -> list[Splitset]:
        """The inference Splitsets attached to this Predictor."""
        return related(self, "splitsets_")

    @id_method
    def get_model(self) -> Any:
        """The trained model, ready to predict (PyTorch: with its optimizer's state, see below).

        For PyTorch the result is the model; the restored optimizer is ``model.optimizer``
        when one was saved, so training can continue.
        """
        from assay.store import reading
        from assay.train.model import load_model

        with reading() as db:
            data = db.get(Predictor, self.id).model_file
        return load_model(self.library, data)

    @id_method
    def get_hyperparameters(self, as_pandas: bool = True) -> dict[str, Any] | pd.DataFrame:
        """The hyperparameters this model was trained with: a DataFrame or a dict."""
        hyperparameters = self.job.hyperparameters()
        if not as_pandas:
            return hyperparameters
        import pandas as pd

        return pd.DataFrame(
            {"param": list(hyperparameters), "value": [str(v) for v in hyperparameters.values()]}
        )

    @id_method
    def plot_learning_curve(
        self, skip_head: bool = True, call_display: bool = True
    ) -> go.Figure | None:
        """One figure, a subplot per metric: training against evaluation, epoch by epoch."""
        from assay.evaluate.plots import learning_curve_figure, show_or_return

        if not self.history:
            raise InvalidArgument(
                f"Predictor {self.id} has no history to plot (its library recorded none)."
            )
        return show_or_return(
            learning_curve_figure(self.history, skip_head=skip_head), call_display
        )

    @id_method
    def predict(self, data: Any) -> Any:
        """Predict new samples in memory, for serving: writes no row and no cache file.

        The samples go through this Predictor's own fitted preprocessing, never refitted;
        gaps it cannot fill are refused, as ``Inference`` refuses them.

        Args:
            data: What ``Inference`` takes as ``input_datasets`` (a DataFrame, a dict of
                columns, a list of records; one per Feature for several), but in memory:
                no file paths.

        Returns:
            The DataFrame ``Inference(self, data).to_df()`` gives: the decoded prediction
            and, for classification, one ``p_<class>`` probability column per class.
        """
        from assay.serve import predict_frame

        return predict_frame(self.id, data)

    @id_method
    def register(
        self,
        name: str,
        formats: list[str] | None = None,
        description: str | None = None,
        tags: str | list[str] | None = None,
        context: str = "default",
    ) -> ModelVersion:
        """Register this model as the next version of the registered model ``name``.

        The model is created if missing; the version gets this Predictor's hyperparameters,
        config, training records, metrics per split, and a file per format, exported here.

        Args:
            name: The registered model's name in ``context``.
            formats: Format ids to export (default ``["pkl"]``).
            description: The version's markdown description.
            tags: The version's tags, a list or a comma-separated str.
            context: The registry context of the model.
        """
        from assay.registry.register import register_predictor

        return register_predictor(self, name, formats, description, tags, context)

    def fit_splitset(self) -> Splitset:
        """The Splitset this Predictor was trained on."""
        return self.job.queue.splitset

    def _repr_html_(self) -> str:
        """A compact table of this Predictor for notebooks (see ``assay.notebook``)."""
        from assay import notebook

        return notebook.predictor_html(self)


class Prediction(Deletable, PredictionEvaluation, BaseModel):
    """A Predictor's output on some samples: predictions, probabilities, metrics, importance."""

    __tablename__ = "prediction"

    predictions: Mapped[Any] = mapped_column(Pickled)
    probabilities: Mapped[Any] = mapped_column(Pickled, nullable=True)
    metrics: Mapped[Any] = mapped_column(Pickled, nullable=True)
    metrics_aggregate: Mapped[Any] = mapped_column(Pickled, nullable=True)
    plot_data: Mapped[Any] = mapped_column(Pickled, nullable=True)
    feature_importance: Mapped[dict | None] = mapped_column(JSON)
    permute_count: Mapped[int | None]
    notes: Mapped[list | None] = mapped_column(JSON)
    predictor_id: Mapped[int] = mapped_column(
        ForeignKey("predictor.id", ondelete="CASCADE"), index=True
    )
    splitset_id: Mapped[int] = mapped_column(
        ForeignKey("splitset.id", ondelete="CASCADE"), index=True
    )
    predictor_: Mapped[Predictor] = relationship("Predictor", viewonly=True)
    splitset_: Mapped[Splitset] = relationship("Splitset", viewonly=True)

    @classmethod
    def record(
        cls,
        predictor_id: int,
        splitset_id: int,
        evaluation: Evaluation,
        importance: dict[str, Any] | None = None,
        permute_count: int | None = None,
    ) -> Prediction:
        """Write what a Predictor made of a Splitset's samples (joins an open transaction).

        Args:
            predictor_id: The Predictor that predicted.
            splitset_id: The Splitset whose samples it predicted.
            evaluation: An ``Evaluation``: predictions, probabilities, metrics, plot data.
            importance: Permutation importance by Feature id, if measured.
            permute_count: The shuffles per column behind ``importance`` (kept only with it).
        """
        from assay.store import transaction

        with transaction() as db:
            prediction = cls(
                predictor_id=predictor_id,
                splitset_id=splitset_id,
                predictions=evaluation.predictions,
                probabilities=evaluation.probabilities,
                metrics=evaluation.metrics,
                metrics_aggregate=evaluation.metrics_aggregate,
                plot_data=evaluation.plot_data,
                notes=evaluation.notes or None,
                feature_importance=importance,
                permute_count=permute_count if importance is not None else None,
            )
            db.add(prediction)
        return prediction

    @property
    def predictor(self) -> Predictor:
        """The Predictor that made these predictions."""
        return related(self, "predictor_")

    @property
    def splitset(self) -> Splitset:
        """The Splitset whose samples were predicted."""
        return related(self, "splitset_")

    def _repr_html_(self) -> str:
        """A compact table of this Prediction for notebooks (see ``assay.notebook``)."""
        from assay import notebook

        return notebook.prediction_html(self)
