"""Model: a network built by a ModelBuilder, trained over a fold file, one fold at a time.

``fit`` follows the fold-file loop: each epoch shuffles the training folds, runs each as a
sub-epoch through a BatchYielder (forwards, loss, backwards, step, batch by batch), then
runs a validation epoch over the validation fold. Callbacks step in at every point (see
``assay.nn.callbacks.base``) through the shared state ``model.fit_params``. ``predict``
takes arrays or a FoldYielder; with a FoldYielder each fold's predictions are written back
to the file under ``pred_name``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from assay.errors import InvalidArgument
from assay.nn.batch_yielder import BatchYielder
from assay.nn.callbacks.base import Callback, CallbackList
from assay.nn.callbacks.pred_handler import PredHandler
from assay.nn.checks import (
    check_callbacks,
    check_fold_index,
    check_fold_yielder,
    check_folds,
    check_model_builder,
    check_positive,
)
from assay.nn.fit_params import FitParams
from assay.nn.folds import fold_file_of, is_fold_yielder, predict_fold, read_plain
from assay.nn.loop import predict_inputs, train_epoch, valid_epoch, valid_fold
from assay.nn.registration import Registrable
from assay.nn.saving import read_save, write_save
from assay.nn.tensors import as_inputs, as_targets, as_weights, n_rows

if TYPE_CHECKING:
    import torch

    from assay.nn.data import FoldYielder
    from assay.nn.models import ModelBuilder


def default_device() -> torch.device:
    """CUDA where it is available, else the CPU."""
    import torch

    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


class Model(Registrable):
    """A network from a ModelBuilder, with its optimiser and loss: trains, predicts, saves.

    Args:
        model_builder: Builds the network, its optimiser and its loss (``get_model()``).
        device: Where the network runs; CUDA where available by default.

    Attributes:
        model: The ``torch.nn.Module``.
        opt: Its optimiser.
        loss: Its loss module.
        fit_params: The state of the current (or last) fit or prediction; see FitParams.
        fold_file: The fold file this Model was last trained on (its path), or None.
    """

    def __init__(self, model_builder: ModelBuilder, device: str | torch.device | None = None):
        import torch

        check_model_builder(model_builder)
        self.model_builder = model_builder
        self.device = torch.device(device) if device is not None else default_device()
        self.model, self.opt, self.loss = model_builder.get_model()
        self.model.to(self.device)
        self.fit_params: FitParams | None = None
        self.fold_file: str | None = None

    def __repr__(self) -> str:
        n_params = sum(p.numel() for p in self.model.parameters())
        return (
            f"Model(objective={self.objective!r}, parameters={n_params}, "
            f"device={str(self.device)!r})"
        )

    @property
    def objective(self) -> str | None:
        """The ModelBuilder's objective: 'regression', 'classification', 'multiclass', ..."""
        return getattr(self.model_builder, "objective", None)

    # Training ------------------------------------------------------------------------------

    def fit(
        self,
        n_epochs: int,
        fy: FoldYielder,
        bs: int,
        cbs: list[Callback] | None = None,
        trn_idxs: list[int] | None = None,
        val_idx: int | None = None,
        train_on_weights: bool = True,
    ) -> dict[str, list[float]]:
        """Train for ``n_epochs`` over the folds of ``fy``; returns the history.

        Each epoch shuffles the training folds and trains on each in turn (a sub-epoch,
        with its rows shuffled), then, given ``val_idx``, computes the loss over that fold.
        A callback that sets ``fit_params.stop`` ends training after the current fold (the
        validation epoch still runs).

        Args:
            n_epochs: The number of epochs.
            fy: The FoldYielder of the fold file to train on.
            bs: Rows per batch.
            cbs: Callbacks, called at each point in this order.
            trn_idxs: The folds to train on; by default every fold but ``val_idx``.
            val_idx: The fold to validate on after each training epoch, or None.
            train_on_weights: Weight each row's loss by the fold's weights, where the file
                has them (training and validation alike).

        Returns:
            ``{"trn_loss": [...], "val_loss": [...], <metric>: [...]}``, a value per epoch.

        Raises:
            InvalidArgument: A bad argument; nothing has been trained.
        """
        check_positive(n_epochs, "n_epochs")
        check_positive(bs, "bs")
        check_fold_yielder(fy, "fy")
        trn_idxs, val_idx = check_folds(fy.n_folds, trn_idxs, val_idx)
        callbacks = CallbackList(check_callbacks(cbs, "cbs"))
        for callback in callbacks:
            callback.set_model(self)
        self.fit_params = fp = FitParams(
            cbs=callbacks,
            fy=fy,
            bs=bs,
            n_epochs=n_epochs,
            trn_idxs=trn_idxs,
            val_idx=val_idx,
            train_on_weights=train_on_weights,
        )
        self.fold_file = fold_file_of(fy)
        callbacks.on_train_begin()
        for epoch in range(n_epochs):
            fp.epoch = epoch
            train_epoch(self)
            if fp.val_idx is not None:
                valid_epoch(self)
            if fp.stop:
                break
        callbacks.on_train_end()
        fp.release_batch()
        return fp.history

    # Prediction and evaluation -------------------------------------------------------------

    def to_predictions(self, outputs: torch.Tensor) -> torch.Tensor:
        """The network's outputs as users read them.

        Probabilities for a classifier whose tail gives log-probabilities or logits (the
        block model's ``to_predictions``); other outputs as they are.
        """
        convert = getattr(self.model, "to_predictions", None)
        return outputs if convert is None else convert(outputs)

    def predict(
        self,
        inputs: Any,
        pred_name: str = "pred",
        pred_cb: Callback | None = None,
        cbs: list[Callback] | None = None,
        bs: int | None = None,
    ) -> np.ndarray | None:
        """Predict arrays, or every fold of a FoldYielder (written back under ``pred_name``).

        Args:
            inputs: A FoldYielder, an array (or tensor) of rows, or a tuple of them (flat
                and matrix data).
            pred_name: The dataset name the predictions get in each fold of a fold file.
            pred_cb: Collects the predictions and returns them from ``get_preds()``; a new
                PredHandler by default.
            cbs: Other callbacks, called before ``pred_cb`` at each point.
            bs: Rows per batch; by default each fold (or the array) in one batch.

        At prediction ``fit_params.y_pred`` holds predictions as users read them
        (probabilities for classifiers, see ``to_predictions``).

        Returns:
            The predictions as ``pred_cb.get_preds()`` returns them, for arrays; None for a
            FoldYielder (the predictions are in the file). An augmenting FoldYielder with
            ``test_time_aug`` gives the mean prediction over its ``aug_mult`` transforms.
        """
        if bs is not None:
            check_positive(bs, "bs")
        pred_cb = PredHandler() if pred_cb is None else pred_cb
        others = check_callbacks(cbs, "cbs")
        if not isinstance(pred_cb, Callback) or not hasattr(pred_cb, "get_preds"):
            raise InvalidArgument(
                "pred_cb must be a Callback with get_preds(), e.g. PredHandler(); "
                f"got {type(pred_cb).__name__}."
            )
        if not is_fold_yielder(inputs):
            return predict_inputs(self, inputs, pred_cb, others, bs)
        if not isinstance(pred_name, str) or not pred_name:
            raise InvalidArgument(f"pred_name must be a non-empty str; got {pred_name!r}.")
        for fold_idx in range(inputs.n_folds):
            preds = predict_fold(
                inputs,
                fold_idx,
                lambda x, i=fold_idx: predict_inputs(self, x, pred_cb, others, bs, inputs, i),
            )
            inputs.save_fold_pred(preds, fold_idx, pred_name=pred_name)
        return None

    def evaluate(
        self,
        inputs: Any,
        targets: Any = None,
        weights: Any = None,
        bs: int | None = None,
        fold_idxs: list[int] | None = None,
        on_weights: bool = True,
    ) -> float:
        """The model's mean loss over arrays, or over folds of a FoldYielder.

        Args:
            inputs: A FoldYielder, or an array (tensor, tuple) of rows.
            targets: The targets of array inputs.
            weights: The weights of array inputs, or None.
            bs: Rows per batch; by default all at once (per fold).
            fold_idxs: The folds of a FoldYielder to evaluate; by default all.
            on_weights: Weight each row's loss by its weight, where there are weights.

        Returns:
            The mean loss per row (weighted as in training), over all rows given.
        """
        if bs is not None:
            check_positive(bs, "bs")
        if is_fold_yielder(inputs):
            if fold_idxs is None:
                fold_idxs = list(range(inputs.n_folds))
            elif not isinstance(fold_idxs, list | tuple | range):
                raise InvalidArgument(
                    f"fold_idxs must be a list of fold indices; got {fold_idxs!r}."
                )
            folds = [check_fold_index(i, inputs.n_folds, "fold_idxs") for i in fold_idxs]
            parts: Any = (read_plain(inputs, i) for i in folds)  # one fold in memory at a time
        else:
            if targets is None:
                raise InvalidArgument("targets must be given to evaluate array inputs.")
            parts = [{"inputs": inputs, "targets": targets, "weights": weights}]
        outer = self.fit_params
        self.fit_params = fp = FitParams(cbs=CallbackList([]), state="valid")
        total, count = 0.0, 0
        try:
            for data in parts:
                if data.get("targets") is None:
                    raise InvalidArgument("the data to evaluate has no targets.")
                x = as_inputs(data["inputs"], self.device)
                rows = n_rows(x)
                fp.by = BatchYielder(
                    x,
                    bs or max(rows, 1),
                    targets=as_targets(data["targets"], self.device),
                    weights=as_weights(data.get("weights") if on_weights else None, self.device),
                    shuffle=False,
                )
                total += valid_fold(self) * rows
                count += rows
        finally:
            fp.release_batch()
            self.fit_params = outer
        return total / count if count else float("nan")

    # Saving, loading, registering ----------------------------------------------------------

    def save(self, path: str | Path) -> Path:
        """Write the weights, the optimiser's state and the ModelBuilder to one file.

        ``Model.from_save(path)`` rebuilds the Model from it alone; ``model.load(path)``
        loads the weights into a Model that exists. Returns the path.
        """
        return write_save(self, path)

    def load(self, path: str | Path) -> Model:
        """Load the weights and optimiser state saved at ``path`` into this Model.

        Raises:
            InvalidArgument: The file is missing, or holds a network of another shape.
        """
        state = read_save(path, self.device)
        try:
            self.model.load_state_dict(state["model"])
        except RuntimeError as exc:
            raise InvalidArgument(
                f"{path} holds weights of another network than this Model's: {exc}"
            ) from None
        self.opt.load_state_dict(state["opt"])
        self.fold_file = state.get("fold_file")
        return self

    @classmethod
    def from_save(
        cls,
        path: str | Path,
        model_builder: ModelBuilder | None = None,
        device: str | torch.device | None = None,
    ) -> Model:
        """A Model rebuilt from a file ``save`` wrote (its ModelBuilder too, unless given).

        Unpickling the stored ModelBuilder runs the code it names: load only files you trust.
        """
        import cloudpickle

        if model_builder is None:
            model_builder = cloudpickle.loads(read_save(path, "cpu")["builder"])
        return cls(model_builder, device=device).load(path)

    def __getstate__(self) -> dict[str, Any]:
        """Pickle the network, optimiser, loss and builder; not the state of a fit."""
        state = dict(self.__dict__)
        state["fit_params"] = None
        return state
