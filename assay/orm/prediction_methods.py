"""Section 14a: a Prediction's feature importance, tables and plots.

Mixed into ``Prediction``; the computations are pure functions in ``assay.evaluate``, the
model they measure a ``TrainedModel``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from assay.errors import InvalidArgument
from assay.orm.base import id_method

if TYPE_CHECKING:
    import pandas as pd
    import plotly.graph_objects as go

    from assay.orm.predictor import Prediction


class PredictionEvaluation:
    """Section 14a: feature importance and the plots of a Prediction (mixed into Prediction)."""

    @id_method
    def to_df(self, split: str | None = None) -> Any:
        """One split's decoded predictions as a DataFrame, one row per sample, in order.

        The prediction column is named after the Label's column (``"prediction"`` without
        one); classification adds one probability column per class, ``p_<class>``; the
        index, ``sample``, is each sample's position in its Dataset (see
        ``assay.evaluate.frame``). ``predictor.predict(data)`` returns the same table
        without writing anything.

        Args:
            split: An inference Prediction has one split (``infer_<n>``), read when None; a
                Prediction made during training needs one of its splits, e.g. ``'test'``.

        Raises:
            InvalidArgument: No split for a Prediction made during training, or a split
                this Prediction does not have.
        """
        from assay.evaluate.frame import prediction_frame

        splitset = self.splitset
        splits = list(self.predictions)
        if split is None:
            split = splitset.inference_key()
            if split is None:
                raise InvalidArgument(
                    f"split is required: Prediction {self.id} was made during training and "
                    f"has the splits {splits}; e.g. to_df(split={splits[-1]!r})."
                )
        if split not in self.predictions:
            raise InvalidArgument(f"split must be one of {splits}; got {split!r}.")
        predictor = self.predictor
        samples = splitset.samples.get(split)
        if samples is None:  # a Fold's own split
            samples = predictor.job.fold.samples[split]
        label = predictor.fit_splitset().label
        return prediction_frame(
            self.predictions[split],
            (self.probabilities or {}).get(split),
            class_names=predictor.ordered_class_names,
            label_columns=None if label is None else list(label.columns),
            samples=samples,
        )

    @id_method
    def calc_featureImportance(self, permute_count: int) -> Prediction:
        """Permutation importance of each column on the training samples, after the fact.

        Args:
            permute_count: Shuffles per column; the impact is the training loss minus the
                median loss over the shuffles. Image Features are skipped.
        """
        from assay.evaluate.importance import importance_by_feature
        from assay.orm.algorithm import check_positive_int
        from assay.store.samples import read_split
        from assay.train.model import TrainedModel

        check_positive_int(permute_count, "permute_count")
        predictor = self.predictor
        job = predictor.job
        splitset = job.queue.splitset
        if self.splitset_id != splitset.id:
            raise InvalidArgument(
                f"Prediction {self.id} is of inference samples; feature importance is measured "
                "on the training samples, from the Prediction made during training."
            )
        train = read_split(splitset, splitset.key_train, job.fold)
        trained = TrainedModel.of_predictor(predictor.id)
        importance = importance_by_feature(trained, train, permute_count)
        if importance is None:
            raise InvalidArgument(
                f"Prediction {self.id}: nothing to permute (image Features only, or no Label)."
            )
        return self.update_columns(feature_importance=importance, permute_count=permute_count)

    @id_method
    def importance_df(
        self, top_n: int | None = None, feature_id: int | None = None
    ) -> pd.DataFrame:
        """Columns ranked by their median loss impact, most important first.

        The impact is the training loss minus the median loss with the column shuffled, so
        the most negative impact (the loss rose most without the column) comes first.
        """
        import pandas as pd

        if not self.feature_importance:
            raise InvalidArgument(
                f"Prediction {self.id} has no feature importance; run "
                "calc_featureImportance(permute_count) first, or train with permute_count > 0."
            )
        if feature_id is not None and str(feature_id) not in self.feature_importance:
            raise InvalidArgument(
                f"feature_id must be one of {sorted(int(k) for k in self.feature_importance)}; "
                f"got {feature_id!r}."
            )
        rows = [
            {
                "feature_id": int(fid),
                "column": column,
                "median": values["median"],
                "loss_impacts": values["loss_impacts"],
            }
            for fid, columns in self.feature_importance.items()
            if feature_id is None or int(fid) == feature_id
            for column, values in columns.items()
        ]
        frame = pd.DataFrame(rows).sort_values("median", ascending=True, ignore_index=True)
        return frame if top_n is None else frame.head(top_n)

    @id_method
    def plot_feature_importance(
        self,
        call_display: bool = True,
        top_n: int = 10,
        height: int | None = None,
        margin_left: int | None = None,
    ) -> go.Figure | None:
        """One figure: a bar chart per Feature of its most important columns.

        Args:
            call_display: Show the figure and return None; False returns it.
            top_n: How many columns each chart shows, most important first.
            height: The figure's height in pixels; None sizes it to the bars.
            margin_left: Room for the column names in pixels; None fits the longest.
        """
        from assay.evaluate.plots import feature_importance_figure, show_or_return

        frame = self.importance_df()
        figure = feature_importance_figure(
            frame.rename(columns={"feature_id": "feature", "median": "impact"}),
            top_n=top_n,
            height=height,
            margin_left=margin_left,
        )
        return show_or_return(figure, call_display)

    def _classification_splits(self) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """``{split: (true class indices, probabilities)}`` where both are known."""
        if not self.probabilities:
            raise InvalidArgument(
                f"Prediction {self.id} has no probabilities; these plots are for classification."
            )
        return {
            split: (self.plot_data[split]["y_true"], self.probabilities[split])
            for split in self.probabilities
            if split in (self.plot_data or {})
        }

    @id_method
    def roc_curves(self) -> dict[str, dict[str, dict[str, Any]]]:
        """Per split, per class: fpr, tpr, thresholds and AUC (``evaluate.curves.roc_curves``)."""
        from assay.evaluate.curves import roc_curves

        names = [str(name) for name in self.predictor.ordered_class_names or []]
        return {
            split: roc_curves(truth, probabilities, names or None)
            for split, (truth, probabilities) in self._classification_splits().items()
        }

    @id_method
    def precision_recall_curves(self) -> dict[str, dict[str, dict[str, Any]]]:
        """Per split, per class: precision, recall, thresholds and average precision."""
        from assay.evaluate.curves import precision_recall_curves

        names = [str(name) for name in self.predictor.ordered_class_names or []]
        return {
            split: precision_recall_curves(truth, probabilities, names or None)
            for split, (truth, probabilities) in self._classification_splits().items()
        }

    @id_method
    def confusion_matrices(self) -> dict[str, np.ndarray]:
        """Per split, the confusion matrix: rows true classes, columns predicted, in class order.

        Raises:
            InvalidArgument: The Prediction is not a classification.
        """
        from assay.evaluate.confusion import confusion_with_indices

        names = [str(name) for name in self.predictor.ordered_class_names or []]
        if not names:
            raise InvalidArgument(
                f"Prediction {self.id} is not a classification; it has no confusion matrix."
            )
        return {
            split: confusion_with_indices(
                data["y_true"], data["y_pred"], labels=list(range(len(names)))
            )[0]
            for split, data in (self.plot_data or {}).items()
        }

    @id_method
    def plot_roc_curve(self, call_display: bool = True) -> go.Figure | None:
        """Receiver operating characteristic curves, per split and class."""
        from assay.evaluate.plots import roc_figure, show_or_return

        return show_or_return(roc_figure(self.roc_curves()), call_display)

    @id_method
    def plot_precision_recall(self, call_display: bool = True) -> go.Figure | None:
        """Precision-recall curves, per split and class."""
        from assay.evaluate.plots import precision_recall_figure, show_or_return

        return show_or_return(precision_recall_figure(self.precision_recall_curves()), call_display)

    @id_method
    def plot_confusion_matrix(self, call_display: bool = True) -> go.Figure | None:
        """One figure: a confusion matrix per split, classes named."""
        from assay.evaluate.plots import confusion_figure, show_or_return

        matrices = self.confusion_matrices()
        names = [str(name) for name in self.predictor.ordered_class_names or []]
        return show_or_return(confusion_figure(matrices, names), call_display)

    @id_method
    def performance_summary(self, split: str) -> dict[str, Any]:
        """The classification summary of one split: loss, accuracy, averaged and per-label scores.

        ``precision_recall_f1_per_label`` is the ``label-p,r,f1;...`` string of the
        performance-analysis document, with the classes named.
        """
        from assay.evaluate.summary import performance_summary

        names = list(self.predictor.ordered_class_names or [])
        data = (self.plot_data or {}).get(split)
        if not names or data is None:
            raise InvalidArgument(
                f"split must be a scored classification split of Prediction {self.id} "
                f"({sorted(self.plot_data or {}) if names else 'none: not a classification'}); "
                f"got {split!r}."
            )
        probabilities = (self.probabilities or {}).get(split)
        loss = ((self.metrics or {}).get(split) or {}).get("loss")
        return performance_summary(
            data["y_true"], data["y_pred"], probabilities, class_names=names, loss=loss
        )

    @id_method
    def confusion_records(self, split: str) -> dict[tuple[Any, Any], list[int]]:
        """For each (true class, predicted class), the records of ``split`` that fall there.

        Records are sample indices into the Dataset (``dataset.to_df(samples=...)`` shows
        them), taken from the split's samples: the Fold's for a model trained on a fold,
        else the Splitset's. So a cell of the confusion matrix leads to the actual rows.
        """
        from assay.evaluate.confusion import confusion_with_indices

        names = list(self.predictor.ordered_class_names or [])
        data = (self.plot_data or {}).get(split)
        if data is None:
            raise InvalidArgument(
                f"split must be one of {sorted(self.plot_data or {})}; got {split!r}."
            )
        _, cells = confusion_with_indices(
            data["y_true"], data["y_pred"], labels=list(range(len(names)))
        )
        samples = self.split_samples(split)
        return {
            (names[i], names[j]): [int(samples[v]) for v in rows] for (i, j), rows in cells.items()
        }

    def split_samples(self, split: str) -> list[int]:
        """The sample indices of one split this Prediction covers, in prediction order."""
        splitset = self.splitset
        job = self.predictor.job
        if splitset.predictor_id is None and job.fold_id is not None:
            return list(job.fold.samples[split])
        return list(splitset.samples[split])

    @id_method
    def plot_confidence(
        self,
        prediction_index: int = 0,
        height: int = 175,
        call_display: bool = True,
        split_name: str | None = None,
    ) -> go.Figure | None:
        """The class probabilities of one sample of a split.

        Args:
            prediction_index: The sample's position in the split.
            height: The figure's height in pixels.
            call_display: Show the figure and return None; False returns it.
            split_name: The split; None takes the first one predicted.
        """
        from assay.evaluate.plots import confidence_figure, show_or_return

        if not self.probabilities:
            raise InvalidArgument(
                f"Prediction {self.id} has no probabilities; confidence is for classification."
            )
        split = split_name or next(iter(self.probabilities))
        if split not in self.probabilities:
            raise InvalidArgument(
                f"split_name must be one of {sorted(self.probabilities)}; got {split_name!r}."
            )
        probabilities = np.asarray(self.probabilities[split])
        if not 0 <= prediction_index < len(probabilities):
            raise InvalidArgument(
                f"prediction_index must be in [0, {len(probabilities)}); got {prediction_index}."
            )
        names = [str(name) for name in self.predictor.ordered_class_names or []]
        figure = confidence_figure(
            probabilities, names, prediction_index, height=height, split_name=split
        )
        return show_or_return(figure, call_display)
