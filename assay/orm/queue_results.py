"""The results of a Queue: its metrics tables, its best model, and their plot.

``Queue`` inherits these from ``QueueResults``. They read each model's scores in one
statement (``Queue.model_scores``) and compute with the pure functions of
``assay.evaluate.tables``, so the tables, the choice of the best model and the refit all
agree on how models are ranked.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from assay.errors import InvalidArgument
from assay.evaluate.tables import METRICS_ID_COLUMNS, sort_frame
from assay.orm.base import id_method
from assay.store.scores import model_scores

if TYPE_CHECKING:
    from assay.evaluate.tables import ModelScores
    from assay.orm.algorithm import Algorithm
    from assay.orm.search import QueueSearch


class QueueResults:
    """The tables and choices made from a Queue's trained models (mixed into ``Queue``)."""

    if TYPE_CHECKING:  # provided by Queue
        id: int
        splitset_id: int
        algorithm: Algorithm
        search: QueueSearch | None

    def model_scores(self) -> list[ModelScores]:
        """Each trained model's ids, hyperparameters and metrics per split, in one read.

        What the tables (``metrics_df``, ``metricsAggregate_df``) and ``best_predictor``
        are computed from, by the pure functions of ``assay.evaluate.tables``.
        """
        return model_scores(self.id, self.splitset_id)

    def ranking(
        self, metric: str | None, split: str | None, goal: str | None
    ) -> tuple[str, str | None, str | None]:
        """The metric, split and goal to rank models by: as given, else the search's.

        Without a search, the metric defaults to the analysis type's score (split and goal
        stay None: ``best_model`` infers them). With one, to the search's metric, split and
        goal (its goal only for its own metric).
        """
        from assay.evaluate.metrics import default_score_metric

        search = self.search
        if search is None:
            return metric or default_score_metric(self.algorithm.analysis_type), split, goal
        if goal is None and metric in (None, search.metric):
            goal = search.goal
        return metric or search.metric, split or search.split_name, goal

    def candidate_models(self) -> list[ModelScores]:
        """The models ``best_predictor`` and ``refit_best`` choose among.

        Every model, except for a search: there, only those of complete trials (a failed
        trial's other folds have models, but no score to rank them by).
        """
        models = self.model_scores()
        search = self.search
        if search is None:
            return models
        complete = {trial.hyperparamcombo_id for trial in search.trials if trial.score is not None}
        return [model for model in models if model.hyperparamcombo_id in complete]

    @id_method
    def metrics_df(
        self,
        selected_metrics: list[str] | None = None,
        sort_by: str | list[str] | None = None,
        ascending: bool = False,
        split: str | list[str] | None = None,
        hyperparameters: bool = False,
    ) -> Any:
        """One row per split (or fold) of every model trained, with its metrics.

        Args:
            selected_metrics: The metric columns to keep, in this order; None keeps all.
            sort_by: A column, or columns, to sort by.
            ascending: Sort ascending; descending by default.
            split: Keep only this split (e.g. ``"validation"``, ``"fold_validation"``) or
                these splits; None keeps every split.
            hyperparameters: Add a column per hyperparameter name (after the id columns)
                with each model's value; a name that is already a column is ``hp_<name>``.

        Returns:
            A DataFrame: ``predictor_id``, ``job_id``, ``hyperparamcombo_id``, ``fold_id``,
            ``repeat_index``, ``split``, the hyperparameters if asked, then the metrics;
            empty before any model is trained. With folds, a refit model (see
            ``refit_best``) is the one without a ``fold_id``.

        Raises:
            InvalidArgument: For a split, metric or sort column there is not (the message
                lists those there are).
        """
        from assay.evaluate.tables import metrics_frame

        frame = metrics_frame(
            self.model_scores(),
            split=split,
            selected_metrics=selected_metrics,
            hyperparameters=hyperparameters,
        )
        return sort_frame(frame, sort_by, ascending, "metrics_df")

    @id_method
    def metricsAggregate_df(
        self,
        selected_metrics: list[str] | None = None,
        selected_stats: list[str] | None = None,
        sort_by: str | list[str] | None = None,
        ascending: bool = False,
        split: str | list[str] | None = None,
        hyperparameters: bool = False,
    ) -> Any:
        """Each metric of each hyperparameter combination, summarized over its models.

        The models of a combination are its folds (and repeats), so with cross-validation
        ``split="fold_validation"`` gives each combination's cross-validated score, as
        ``GridSearchCV``'s ``mean_test_score`` and ``std_test_score`` do::

            queue.metricsAggregate_df(split="fold_validation", selected_metrics=["accuracy"],
                                      sort_by="mean")

        Without folds, a combination's models are its repeats (one each by default: count
        1, std 0). ``best_predictor()`` ranks combinations by the same mean.

        Args:
            selected_metrics: The metrics to summarize; None summarizes all.
            selected_stats: Which of count, mean, median, std (ddof 0), min and max to show,
                in this order; None shows all. NaNs (undefined scores) are left out; count
                says how many models were scored.
            sort_by: A column, or columns, to sort by (e.g. ``"mean"``).
            ascending: Sort ascending; descending by default.
            split: Keep only this split (e.g. ``"fold_validation"``) or these splits; None
                keeps every split.
            hyperparameters: Add a column per hyperparameter name after
                ``hyperparamcombo_id``.

        Returns:
            A DataFrame, one row per combination, split and metric: ``hyperparamcombo_id``,
            the hyperparameters if asked, ``split``, ``metric``, then the statistics; empty
            before any model is trained.

        Raises:
            InvalidArgument: For a split, metric, statistic or sort column there is not (the
                message lists those there are).
        """
        from assay.evaluate.tables import aggregate_frame

        frame = aggregate_frame(
            self.model_scores(),
            split=split,
            selected_metrics=selected_metrics,
            selected_stats=selected_stats,
            hyperparameters=hyperparameters,
        )
        return sort_frame(frame, sort_by, ascending, "metricsAggregate_df")

    @id_method
    def best_predictor(
        self, metric: str | None = None, split: str | None = None, goal: str | None = None
    ) -> Any:
        """The Predictor with the best score: of the best combination, its best model.

        Combinations are ranked by their mean score over their models (folds and repeats)
        on ``split``, as in ``metricsAggregate_df`` and ``GridSearchCV``; of the best one,
        its refit model is returned when there is one (see ``refit_best`` and
        ``Trainer(refit=True)``), else its model with the best score on ``split``.

        For a Queue made with a search, the defaults are the search's metric, split and
        goal, and only complete trials are ranked.

        Args:
            metric: The metric to judge by; None means the search's, else the analysis
                type's default score ('accuracy' for classification, 'r2' for regression).
            split: The split to judge on; None means the search's, else validation when
                there is one, else the folds' validation (``fold_validation``), else test,
                else train.
            goal: "maximize" or "minimize"; None means the search's (for its metric), else
                "minimize" for losses and errors (a name holding "loss" or "error", and mse,
                rmse, mae), else "maximize".

        Returns:
            The Predictor.

        Raises:
            InvalidArgument: When no model is trained yet; for a metric or split that was not
                scored (the message lists those that were), or a goal other than the two;
                when the metric is undefined on the split for every model.
        """
        from assay.evaluate.tables import best_model
        from assay.orm.predictor import Predictor

        models = self.candidate_models()
        if not models:
            raise InvalidArgument(f"Queue {self.id} has no trained models yet; run_jobs() first.")
        metric, split, goal = self.ranking(metric, split, goal)
        best = best_model(models, metric=metric, split=split, goal=goal)
        return Predictor.get_by_id(best.model.predictor_id)

    @id_method
    def plot_performance(
        self,
        call_display: bool = True,
        max_loss: float | None = None,
        min_score: float | None = None,
        score_type: str | None = None,
        height: int | None = None,
    ) -> Any:
        """Every model's loss (x) against its score (y), per split, to compare them.

        Args:
            call_display: Show the figure (in a notebook or browser) and return None;
                False returns the Plotly figure instead.
            max_loss: Leave out models with a loss above this on any split.
            min_score: Leave out models with a score below this on any split.
            score_type: The metric on the y axis; None means the analysis type's default
                ('accuracy' for classification, 'r2' for regression).
            height: The figure's height in pixels; None lets Plotly choose.

        Raises:
            InvalidArgument: Before any model is trained, or for a score_type that was not
                scored (the message lists those that were).
        """
        from assay.evaluate.metrics import default_score_metric
        from assay.evaluate.plots import performance_figure, show_or_return

        score_type = score_type or default_score_metric(self.algorithm.analysis_type)
        frame = self.metrics_df()
        if frame.empty:
            raise InvalidArgument(f"Queue {self.id} has no trained models yet; run_jobs() first.")
        if score_type not in frame.columns:
            names = [c for c in frame.columns if c not in METRICS_ID_COLUMNS]
            raise InvalidArgument(f"score_type must be one of {names}; got {score_type!r}.")
        figure = performance_figure(
            frame, score_type=score_type, max_loss=max_loss, min_score=min_score, height=height
        )
        return show_or_return(figure, call_display)
