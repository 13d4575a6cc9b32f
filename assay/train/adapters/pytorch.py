"""The PyTorch adapter: defaults, one-call batched prediction, loss, and saving by value.

Defaults, chosen to agree with each other:

- classification_binary: ``nn.BCELoss`` on a sigmoid output of one unit; predictions are
  ``p > 0.5``, probabilities ``p``.
- classification_multi: ``nn.CrossEntropyLoss`` on one output per class (logits, or
  probabilities); predictions are the argmax, probabilities the softmax of logits. With an
  ordinal label (one class index per sample) ``fn_build`` gets ``label_shape=(class
  count,)``, the width of that output, as with a one-hot label.
- regression: ``nn.L1Loss``; predictions are the outputs.
- optimizer: ``torch.optim.Adamax(model.parameters(), lr=hp.get('learning_rate', 0.01))``.

The model is saved whole, with cloudpickle (so classes defined in a notebook come along),
together with its optimizer, whose state lets training go on after loading.
"""

from __future__ import annotations

import io
import weakref
from collections.abc import Callable
from typing import Any

import cloudpickle
import numpy as np

from assay.train.adapters.base import Adapter

PREDICT_BATCH = 4096  # samples per forward pass when predicting


def batched_forward(model: Any, features: Any, batch_size: int = PREDICT_BATCH) -> np.ndarray:
    """The model's outputs for every sample, in batches, without gradients, as an array."""
    import torch

    from assay.utils.pytorch import forward, to_tensors

    tensors = to_tensors(features)
    model.eval()
    outputs = []
    with torch.no_grad():
        for start in range(0, len(tensors[0]), batch_size):
            batch = [t[start : start + batch_size] for t in tensors]
            outputs.append(forward(model, batch).detach().cpu())
    if not outputs:
        return np.empty((0,), dtype=np.float32)
    return torch.cat(outputs).numpy()


def default_predict(analysis_type: str) -> Callable:
    """``fn_predict(model, features)`` matching the default losses (see the module)."""

    def fn_predict(model: Any, features: Any) -> Any:
        output = batched_forward(model, features)
        if analysis_type == "regression":
            return output
        rows = output.reshape(len(output), -1)
        if analysis_type == "classification_binary":
            probabilities = rows[:, -1]
            return (probabilities > 0.5).astype(np.int64), probabilities
        if not (np.all(rows >= 0) and np.allclose(rows.sum(axis=1), 1, atol=1e-4)):
            rows = np.exp(rows - rows.max(axis=1, keepdims=True))
            rows /= rows.sum(axis=1, keepdims=True)
        return rows.argmax(axis=1), rows

    return fn_predict


def default_lose(analysis_type: str) -> Callable:
    """``fn_lose(**hp)``: BCELoss, CrossEntropyLoss or L1Loss (see the module)."""

    def fn_lose(**hp: Any) -> Any:
        import torch

        if analysis_type == "classification_binary":
            return torch.nn.BCELoss()
        if analysis_type == "classification_multi":
            return torch.nn.CrossEntropyLoss()
        return torch.nn.L1Loss()

    return fn_lose


def default_optimize(model: Any, **hp: Any) -> Any:
    """Adamax over the model's parameters, learning rate ``hp['learning_rate']`` or 0.01."""
    import torch

    return torch.optim.Adamax(model.parameters(), lr=hp.get("learning_rate", 0.01))


class PytorchAdapter(Adapter):
    """PyTorch: fn_train returns (history, model) or (model, history), e.g. from ``fit``."""

    name = "pytorch"

    def __init__(self) -> None:
        self._optimizers: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def default_fn_lose(self, analysis_type: str) -> Callable:
        """BCELoss (sigmoid outputs), CrossEntropyLoss, or L1Loss for regression."""
        return default_lose(analysis_type)

    def default_fn_optimize(self, analysis_type: str) -> Callable:
        """Adamax with learning rate ``hp['learning_rate']`` (default 0.01)."""
        return default_optimize

    def default_fn_predict(self, analysis_type: str) -> Callable:
        """Threshold 0.5 (binary), argmax of softmax (multi), raw outputs (regression)."""
        return default_predict(analysis_type)

    def build_label_shape(
        self, label_shape: Any, analysis_type: str, class_names: list[Any] | None
    ) -> Any:
        """``(class count,)`` for a multi-class ordinal label, as AIQC passes it; else as is.

        An ordinal label is one class index per sample, shape ``(1,)``, but the model needs
        one output per class: ``torch.nn.Linear(12, label_shape[0])`` then works for ordinal
        and one-hot labels alike.
        """
        ordinal = tuple(label_shape or ()) == (1,)
        if analysis_type == "classification_multi" and ordinal and len(class_names or ()) > 1:
            return (len(class_names),)
        return label_shape

    def keep_optimizer(self, model: Any, optimizer: Any) -> None:
        """Remember the run's optimizer, so that ``save(model)`` stores it with the model."""
        if optimizer is not None and _weakrefable(model):
            self._optimizers[model] = optimizer

    def loss(self, fn_lose, model, features, label, analysis_type, hp) -> float:
        """``loser(model(features), label)`` on all the samples at once, without gradients.

        Args:
            fn_lose: Returns a torch loss from ``**hp``; None takes BCELoss,
                CrossEntropyLoss or L1Loss (``default_fn_lose``).
            model: The trained ``torch.nn.Module``; it is left in eval mode.
            features: An array or tensor, or a list of them passed as ``model(x1, x2)``.
            label: Their label; for CrossEntropyLoss and NLLLoss, class indices (see
                ``target_for``).
            analysis_type: Picks that default loser.
            hp: The run's hyperparameters, for ``fn_lose(**hp)``.
        """
        import torch

        from assay.utils.pytorch import forward, target_for, to_tensor, to_tensors

        loser = (fn_lose or self.default_fn_lose(analysis_type))(**hp)
        model.eval()
        with torch.no_grad():
            output = forward(model, to_tensors(features))
            return float(loser(output, target_for(loser, output, to_tensor(label))))

    def save(self, model: Any, optimizer: Any = None) -> bytes:
        """The model and its optimizer (state included), pickled together by value.

        Args:
            model: The trained ``torch.nn.Module``.
            optimizer: Its optimizer; None takes the one of the run that trained the model.

        Returns:
            Bytes for ``load``.
        """
        import torch

        if optimizer is None:
            optimizer = self._optimizers.get(model) if _weakrefable(model) else None
        buffer = io.BytesIO()
        torch.save({"model": model, "optimizer": optimizer}, buffer, pickle_module=cloudpickle)
        return buffer.getvalue()

    def load(self, data: bytes) -> tuple[Any, Any]:
        """``(model, optimizer)`` in eval mode; the optimizer is None when none was saved."""
        import torch

        saved = torch.load(io.BytesIO(data), weights_only=False)
        model = saved["model"]
        model.eval()
        return model, saved.get("optimizer")


def _weakrefable(value: Any) -> bool:
    try:
        weakref.ref(value)
    except TypeError:
        return False
    return True
