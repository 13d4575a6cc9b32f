"""The loops ``Model.fit`` and ``Model.predict`` run, one function per level.

An epoch runs folds, a fold runs batches, and every level calls its callback points on
``model.fit_params`` (see ``assay.nn.callbacks.base``). The batch loops do nothing per
batch beyond what training needs and the points: the state is written to ``fit_params``
so callbacks may change it, and each batch's loss is kept (detached, not read) until the
epoch ends, so that a GPU is never waited on for a number mid-epoch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from assay.errors import InvalidArgument
from assay.nn.batch_yielder import BatchYielder
from assay.nn.callbacks.base import CallbackList
from assay.nn.fit_params import FitParams
from assay.nn.folds import read_plain
from assay.nn.tensors import as_inputs, as_targets, as_weights, n_rows

if TYPE_CHECKING:
    from assay.nn.callbacks.base import Callback
    from assay.nn.model import Model


def train_epoch(model: Model) -> None:
    """One training epoch: every training fold, in a new random order."""
    import torch

    fp = model.fit_params
    fp.state = "train"
    order = torch.randperm(len(fp.trn_idxs)).tolist()
    fp.trn_idxs = [fp.trn_idxs[i] for i in order]
    model.model.train()
    fp.cbs.on_epoch_begin()
    losses: list[tuple[Any, int]] = []
    for fold_idx in fp.trn_idxs:
        load_fold(model, fold_idx, shuffle=True)
        fp.cbs.on_fold_begin()
        train_fold(model, losses)
        fp.cbs.on_fold_end()
        fp.sub_epoch += 1
        if fp.stop:
            break
    fp.trn_loss = mean_loss(losses)
    fp.record("trn_loss", fp.trn_loss)
    fp.cbs.on_epoch_end()


def train_fold(model: Model, losses: list[tuple[Any, int]]) -> None:
    """Forwards, loss, backwards and an optimiser step for each batch of the fold."""
    fp, network, opt, loss = model.fit_params, model.model, model.opt, model.loss
    cbs = fp.cbs
    for x, y, w in fp.by:
        forwards(fp, network, loss, x, y, w)
        opt.zero_grad(set_to_none=True)
        cbs.on_backwards_begin()
        fp.loss_val.backward()
        cbs.on_backwards_end()
        opt.step()
        losses.append((fp.loss_val.detach(), len(fp.y)))
        cbs.on_batch_end()


def forwards(fp: FitParams, network: Any, loss: Any, x: Any, y: Any, w: Any) -> None:
    """One batch in ``fit_params``, through the network and the loss, with its points."""
    fp.x, fp.y, fp.w = x, y, w
    fp.cbs.on_batch_begin()
    fp.y_pred = network(fp.x)
    fp.loss_val = loss(fp.y_pred, fp.y, fp.w)
    fp.cbs.on_forwards_end()


def valid_epoch(model: Model) -> None:
    """The validation epoch: the loss over the validation fold, without gradients."""
    fp = model.fit_params
    fp.state = "valid"
    fp.cbs.on_epoch_begin()
    load_fold(model, fp.val_idx, shuffle=False)
    fp.cbs.on_fold_begin()
    fp.val_loss = valid_fold(model)
    fp.cbs.on_fold_end()
    fp.record("val_loss", fp.val_loss)
    fp.cbs.on_epoch_end()


def valid_fold(model: Model) -> float:
    """The mean loss over the batches of ``fit_params.by``; callbacks see each batch."""
    import torch

    fp, network, loss = model.fit_params, model.model, model.loss
    cbs = fp.cbs
    losses: list[tuple[Any, int]] = []
    network.eval()
    with torch.no_grad():
        for x, y, w in fp.by:
            forwards(fp, network, loss, x, y, w)
            losses.append((fp.loss_val, len(fp.y)))
            cbs.on_batch_end()
    return mean_loss(losses)


def load_fold(model: Model, fold_idx: int, shuffle: bool) -> None:
    """Read fold ``fold_idx`` of ``fit_params.fy`` into a BatchYielder (``fit_params.by``).

    A training fold is read with ``get_fold``, so an augmenting FoldYielder transforms it at
    random; the validation fold is read as stored.
    """
    fp = model.fit_params
    fp.fold_idx = fold_idx
    fp.by = None  # the last fold's tensors can go before this one is read
    data = fp.fy.get_fold(fold_idx) if shuffle else read_plain(fp.fy, fold_idx)
    if data.get("targets") is None:
        raise InvalidArgument(f"fold {fold_idx} of the fold file has no targets to fit.")
    weights = data.get("weights") if fp.train_on_weights else None
    fp.by = BatchYielder(
        as_inputs(data["inputs"], model.device),
        fp.bs,
        targets=as_targets(data["targets"], model.device),
        weights=as_weights(weights, model.device),
        shuffle=shuffle,
    )


def predict_inputs(
    model: Model,
    inputs: Any,
    pred_cb: Callback,
    cbs: list[Callback],
    bs: int | None,
    fy: Any = None,
    fold_idx: int | None = None,
) -> Any:
    """Run the prediction points over ``inputs``; what ``pred_cb.get_preds()`` returns.

    Args:
        model: The Model predicting.
        inputs: An array, tensor, or tuple of them.
        pred_cb: The prediction callback, called last at each point.
        cbs: The other callbacks.
        bs: Rows per batch; None for all at once.
        fy: The FoldYielder the inputs came from, if any (for callbacks).
        fold_idx: The fold they came from, if any.
    """
    import torch

    callbacks = CallbackList([*cbs, pred_cb])
    for callback in callbacks:
        callback.set_model(model)
    x = as_inputs(inputs, model.device)
    rows = n_rows(x)
    outer = model.fit_params  # a prediction inside a fit (from a callback) restores it
    model.fit_params = fp = FitParams(
        cbs=callbacks, fy=fy, bs=bs or max(rows, 1), state="test", fold_idx=fold_idx
    )
    fp.by = BatchYielder(x, fp.bs, shuffle=False)
    network = model.model
    was_training = network.training
    network.eval()
    try:
        with torch.no_grad():
            callbacks.on_pred_begin()
            for batch, _, _ in fp.by:
                fp.x = batch
                callbacks.on_batch_begin()
                fp.y_pred = model.to_predictions(network(fp.x))
                callbacks.on_forwards_end()
                callbacks.on_batch_end()
            callbacks.on_pred_end()
    finally:
        network.train(was_training)
        fp.release_batch()
        model.fit_params = outer if outer is not None else fp
    return pred_cb.get_preds()


def mean_loss(losses: list[tuple[Any, int]]) -> float:
    """The mean per row of batch losses, each weighted by its batch's rows."""
    rows = sum(n for _, n in losses)
    if rows == 0:
        return float("nan")
    return sum(float(loss) * n for loss, n in losses) / rows
