"""A trained model ready to predict: the one value training, evaluation and inference share.

``TrainedModel`` bundles what predicting and scoring need: the library's adapter, the
Algorithm's functions, the model, its hyperparameters, the analysis type, and how the samples
it sees are preprocessed (``FittedSteps``). A training run builds it from what it trained;
``TrainedModel.of_predictor`` rebuilds it from a stored Predictor.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from assay.train.handoff import unwrap

if TYPE_CHECKING:
    from assay.orm.splitset import Splitset
    from assay.preprocess.fitted import FittedSteps
    from assay.train.adapters.base import Adapter


@dataclass(frozen=True)
class TrainedModel:
    """A model with everything needed to predict and score it.

    Attributes:
        adapter: The model library's adapter.
        functions: The Algorithm's functions, the library's defaults filled in.
        model: The trained model.
        hyperparameters: The ``**hp`` it was trained with.
        analysis_type: ``'classification_binary'``, ``'classification_multi'`` or
            ``'regression'``.
        preprocessing: How the samples it predicts are preprocessed (and decoded).
    """

    adapter: Adapter
    functions: dict[str, Callable[..., Any]]
    model: Any
    hyperparameters: dict[str, Any]
    analysis_type: str
    preprocessing: FittedSteps

    def predict(self, features: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray | None]:
        """``(predictions, probabilities)`` of some samples, in one call (see ``Adapter.predict``).

        Args:
            features: One array per Feature.
        """
        return self.adapter.predict(self.functions.get("fn_predict"), self.model, unwrap(features))

    def loss(self, features: list[np.ndarray], label: np.ndarray) -> float:
        """The model's loss on some samples, all at once.

        Args:
            features: One array per Feature.
            label: Their label.
        """
        return float(
            self.adapter.loss(
                self.functions.get("fn_lose"),
                self.model,
                unwrap(features),
                label,
                self.analysis_type,
                self.hyperparameters,
            )
        )

    def for_samples(self, preprocessing: FittedSteps) -> TrainedModel:
        """The same model, predicting samples preprocessed as ``preprocessing`` says."""
        return dataclasses.replace(self, preprocessing=preprocessing)

    @classmethod
    def of_predictor(cls, predictor_id: int, samples: Splitset | None = None) -> TrainedModel:
        """A stored Predictor, loaded and ready to predict.

        Args:
            predictor_id: The Predictor.
            samples: An inference Splitset of this Predictor whose samples it will predict;
                None for the samples it was trained on (its Fold's, or its Splitset's).
        """
        from assay.orm.loading import load_predictor
        from assay.store.samples import resolve_preprocessing
        from assay.train.adapters import get_adapter

        predictor, rows = load_predictor(predictor_id)
        algorithm = rows.algorithm
        preprocessing = (
            resolve_preprocessing(rows.splitset, rows.fold)
            if samples is None
            else resolve_preprocessing(samples)
        )
        return cls(
            adapter=get_adapter(algorithm.library),
            functions=algorithm.functions(),
            model=predictor.get_model(),
            hyperparameters=rows.hyperparameters(),
            analysis_type=algorithm.analysis_type,
            preprocessing=preprocessing,
        )


def load_model(library: str, model_file: bytes) -> Any:
    """A model saved by its library's adapter, ready to predict, in any process.

    PyTorch saves the optimizer too: its restored state is ``model.optimizer`` (when one was
    saved), so training can continue.

    Args:
        library: The adapter's name, e.g. ``'keras'``.
        model_file: What ``Adapter.save`` returned (``Predictor.model_file``).
    """
    from assay.train.adapters import get_adapter

    loaded = get_adapter(library).load(model_file)
    if isinstance(loaded, tuple):
        model, optimizer = loaded
        if optimizer is not None:
            model.optimizer = optimizer
        return model
    return loaded
