"""The hooks an integration may implement (004's contrib classes); each one a no-op here.

assay calls them at fixed points, always with keyword arguments, so that an integration
overrides only what it needs and takes ``**kwargs`` for what it does not read (assay may pass
more in later versions). Training hooks are called for every run trained while integrations
are active (``Integrations.active``), whichever command or executor trains it.
"""

from __future__ import annotations

from typing import Any, ClassVar


class Integration:
    """Base of every integration: a third-party system assay reports to, switched on by name.

    Subclasses take their options as keyword arguments with defaults in ``__init__`` (as
    004's encoders do), so that ``load_integrations(["mine"], option=...)`` builds them.
    """

    #: The name users pass to ``--integration``; set when it is registered.
    name: ClassVar[str] = ""

    @staticmethod
    def import_call(argv: list[str], **kwargs: Any) -> None:
        """Called when the integration is switched on, before it is built or anything runs.

        Args:
            argv: The command line (``sys.argv``).
            **kwargs: Nothing yet; for later arguments.
        """

    # -- experiments (the declarative ``assay experiment``) ---------------------------------

    def experiment(self, **kwargs: Any) -> None:
        """An experiment starts: ``name``, ``config`` and ``output_directory``."""

    def experiment_save(self, **kwargs: Any) -> None:
        """An experiment's results are written: ``output_directory`` and ``results``."""

    # -- training ---------------------------------------------------------------------------

    def train(self, **kwargs: Any) -> None:
        """A command that trains starts: ``command`` and what it was given."""

    def train_init(self, **kwargs: Any) -> None:
        """A run starts training.

        Keyword arguments: ``run_id``, ``queue_id``, ``job_id``, ``library``,
        ``analysis_type``, ``hyperparameters`` (the run's ``**hp``), ``fold_index`` (None
        without folds) and ``repeat_index``.
        """

    def train_epoch_end(self, **kwargs: Any) -> None:
        """An epoch ended: ``run_id``, ``epoch`` (0-based) and ``metrics`` (name: float)."""

    def train_model(self, **kwargs: Any) -> None:
        """A run's model is trained, before it is evaluated.

        Keyword arguments: ``run_id``, ``library``, ``model`` (the library's own object),
        ``model_file`` (the bytes the library's adapter saves) and ``history``.
        """

    def train_save(self, **kwargs: Any) -> None:
        """A run's Predictor is stored: ``run_id``, ``predictor_id`` and ``metrics``."""

    def train_end(self, **kwargs: Any) -> None:
        """A run ended.

        Keyword arguments: ``run_id``, ``status`` (``succeeded``, ``failed``, ``stopped``),
        ``predictor_id`` (None unless it succeeded), ``metrics`` (split: name: float, or
        None) and ``message`` (why it failed).
        """

    # -- prediction, evaluation, figures and serving ----------------------------------------

    def predict(self, **kwargs: Any) -> None:
        """A command that predicts starts: ``command`` and what it was given."""

    def predict_end(self, **kwargs: Any) -> None:
        """Predictions were made.

        Keyword arguments: ``predictions`` (a DataFrame), ``model`` (what predicted: a
        Predictor id or ``name@version``) and ``metrics`` (None without labels).
        """

    def test(self, **kwargs: Any) -> None:
        """An evaluation ran: ``metrics`` (split: name: float) and ``model``."""

    def visualize(self, **kwargs: Any) -> None:
        """A command that draws figures starts: ``command`` and what it was given."""

    def visualize_figure(self, **kwargs: Any) -> None:
        """A figure was drawn: ``figure`` (a Plotly figure), ``name`` and ``path`` (or None)."""

    def serve(self, **kwargs: Any) -> None:
        """A prediction server is about to run: ``app`` (FastAPI), ``model``, ``host``, ``port``."""

    def close(self) -> None:
        """The integrations stop being active: flush and release what this one holds."""


#: The hooks assay calls, in 004's order; ``Integrations.call`` accepts only these.
HOOKS: tuple[str, ...] = (
    "experiment",
    "experiment_save",
    "train",
    "train_init",
    "train_epoch_end",
    "train_model",
    "train_save",
    "train_end",
    "predict",
    "predict_end",
    "test",
    "visualize",
    "visualize_figure",
    "serve",
)
