"""PredHandler: the prediction callback that collects each batch's outputs, in order."""

from __future__ import annotations

from typing import Any

import numpy as np

from assay.nn.callbacks.base import Callback


class PredHandler(Callback):
    """Keeps the model's outputs batch by batch; ``get_preds()`` gives them as one array.

    It reads ``fit_params.y_pred`` at ``on_forwards_end``, after the other callbacks of the
    prediction have had their turn (the Model calls it last), so a callback that changes
    the predictions there changes what is kept. Subclass it and override ``transform`` to
    rescale or bin predictions.
    """

    def __init__(self) -> None:
        self.preds: list[Any] = []

    def on_pred_begin(self) -> None:
        """Forget the predictions of an earlier call."""
        self.preds = []

    def on_forwards_end(self) -> None:
        """Keep this batch's outputs (on the CPU)."""
        self.preds.append(self.model.fit_params.y_pred.detach().cpu())

    def transform(self, preds: np.ndarray) -> np.ndarray:
        """What ``get_preds`` does to the predictions before returning them (nothing here)."""
        return preds

    def get_preds(self) -> np.ndarray:
        """Every prediction since ``on_pred_begin``, one row per input row."""
        import torch

        if not self.preds:
            return self.transform(np.zeros((0,), dtype=np.float32))
        return self.transform(torch.cat(self.preds).numpy())
