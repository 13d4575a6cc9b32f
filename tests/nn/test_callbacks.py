"""Callbacks: the order of every point, changes they make taking effect, and the provided ones."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from assay.errors import InvalidArgument
from assay.nn import (
    Callback,
    EarlyStopping,
    EvalMetric,
    MetastoreLogger,
    Model,
    OneCycle,
    ParametrisedPrediction,
    PredHandler,
    RocAucScore,
    SaveBest,
)
from assay.nn.callbacks import POINTS
from tests.nn.foldfiles import CANCER_FEATS, builder, cancer_foldfile


@pytest.fixture
def fy(tmp_path):
    return cancer_foldfile(tmp_path, n_folds=3)


@pytest.fixture
def model():
    torch.manual_seed(0)
    return Model(builder("classification", CANCER_FEATS), device="cpu")


class Recorder(Callback):
    """Records each point it is called at, with the state of the loop then."""

    def __init__(self):
        self.calls = []

    def __getattribute__(self, name):
        if name in POINTS:
            return lambda: self.calls.append((name, self.model.fit_params.state))
        return super().__getattribute__(name)


# Recorder overrides every point through __getattribute__; make each visible to CallbackList.
for _point in POINTS:
    setattr(Recorder, _point, lambda self: None)


def batches(fy, fold, bs):
    return -(-fy.n_samples(fold) // bs)


def test_fit_calls_every_point_in_the_loops_order(fy, model):
    recorder = Recorder()
    bs = 128
    model.fit(2, fy, bs, cbs=[recorder], trn_idxs=[0, 1], val_idx=2)

    train_batch = [
        "on_batch_begin",
        "on_forwards_end",
        "on_backwards_begin",
        "on_backwards_end",
        "on_batch_end",
    ]
    expected = [("on_train_begin", "train")]
    for _epoch in range(2):
        expected.append(("on_epoch_begin", "train"))
        # the training folds come in a shuffled order; count each fold's batches as it came
        for fold in (0, 1):
            expected.append(("on_fold_begin", "train"))
            expected += [(point, "train") for point in train_batch] * batches(fy, fold, bs)
            expected.append(("on_fold_end", "train"))
        expected.append(("on_epoch_end", "train"))
        expected += [("on_epoch_begin", "valid"), ("on_fold_begin", "valid")]
        valid_batch = ["on_batch_begin", "on_forwards_end", "on_batch_end"]
        expected += [(point, "valid") for point in valid_batch] * batches(fy, 2, bs)
        expected += [("on_fold_end", "valid"), ("on_epoch_end", "valid")]
    expected.append(("on_train_end", "valid"))
    if batches(fy, 0, bs) == batches(fy, 1, bs):
        assert recorder.calls == expected
    else:  # pragma: no cover - the folds are stratified to sizes within one row
        assert sorted(recorder.calls) == sorted(expected)


def test_predict_calls_the_prediction_points_in_order(fy, model):
    recorder = Recorder()
    inputs = fy[0]["inputs"][:150]
    model.predict(inputs, cbs=[recorder], bs=60)
    middle = [("on_batch_begin", "test"), ("on_forwards_end", "test"), ("on_batch_end", "test")]
    assert recorder.calls == [("on_pred_begin", "test"), *middle * 3, ("on_pred_end", "test")]


def test_the_training_folds_are_shuffled_each_epoch(fy, tmp_path):
    class FoldOrder(Callback):
        def __init__(self):
            self.orders = []

        def on_epoch_begin(self):
            if self.model.fit_params.state == "train":
                self.orders.append(tuple(self.model.fit_params.trn_idxs))

    many = cancer_foldfile(tmp_path / "many", n_folds=8)
    order = FoldOrder()
    torch.manual_seed(1)
    Model(builder("classification", CANCER_FEATS), device="cpu").fit(6, many, 256, cbs=[order])
    assert all(sorted(o) == list(range(8)) for o in order.orders)
    assert len(set(order.orders)) > 1


class ScaleLoss(Callback):
    """Multiplies the loss by ``factor`` after the forwards pass."""

    def __init__(self, factor):
        self.factor = factor

    def on_forwards_end(self):
        self.model.fit_params.loss_val = self.model.fit_params.loss_val * self.factor


def parameters(model):
    return {name: p.detach().clone() for name, p in model.model.named_parameters()}


def test_a_loss_changed_in_on_forwards_end_is_what_trains_and_is_recorded(fy, model):
    before = parameters(model)
    history = model.fit(1, fy, 64, cbs=[ScaleLoss(0.0)], val_idx=2)
    assert history["trn_loss"] == [0.0] and history["val_loss"][0] == 0.0
    # a zero loss gives zero gradients, and Adam moves no parameter on zero gradients
    after = parameters(model)
    assert all(torch.equal(before[name], after[name]) for name in before)

    torch.manual_seed(0)
    trained = Model(builder("classification", CANCER_FEATS), device="cpu")
    history = trained.fit(1, fy, 64, cbs=[ScaleLoss(2.0)], val_idx=2)
    plain = Model(builder("classification", CANCER_FEATS), device="cpu")
    loss = plain.evaluate(fy, fold_idxs=[2])
    assert history["val_loss"][0] == pytest.approx(2 * trained.evaluate(fy, fold_idxs=[2]))
    assert loss > 0


def test_gradients_changed_in_on_backwards_end_are_what_the_optimiser_applies(fy, model):
    class FreezeTail(Callback):
        def on_backwards_end(self):
            for parameter in self.model.model.tail.parameters():
                parameter.grad = None  # the optimiser skips parameters without a gradient

    before = parameters(model)
    model.fit(2, fy, 64, cbs=[FreezeTail()], val_idx=2)
    after = parameters(model)
    tail = [name for name in before if name.startswith("tail.")]
    others = [name for name in before if not name.startswith("tail.")]
    assert tail and all(torch.equal(before[name], after[name]) for name in tail)
    assert any(not torch.equal(before[name], after[name]) for name in others)


def test_a_batch_changed_in_on_batch_begin_is_what_the_network_sees(fy, model):
    class ZeroInputs(Callback):
        def on_batch_begin(self):
            self.model.fit_params.x = torch.zeros_like(self.model.fit_params.x)

    inputs = fy[0]["inputs"]
    zeroed = model.predict(inputs, cbs=[ZeroInputs()])
    assert np.allclose(zeroed, zeroed[0])  # every row is the same all-zero row now
    assert np.allclose(zeroed[0], model.predict(np.zeros((1, inputs.shape[1]), np.float32)))
    assert not np.allclose(model.predict(inputs), zeroed)


def test_early_stopping_stops_when_the_monitored_value_stalls(fy, model):
    constant = EvalMetric("constant", lambda y, p, sample_weight=None: 1.0, higher_better=True)
    stopper = EarlyStopping(patience=2, monitor="constant", higher_better=True)
    history = model.fit(20, fy, 64, cbs=[stopper, constant], val_idx=2)
    # the first epoch sets the best; two more without improvement stop training
    assert len(history["val_loss"]) == 3 and history["constant"] == [1.0, 1.0, 1.0]
    assert stopper.best_epoch == 0 and stopper.stopped_epoch == 2


def test_monitoring_a_value_the_fit_does_not_record_names_those_it_does(fy, model):
    with pytest.raises(InvalidArgument, match="no metric callback of this fit computes"):
        model.fit(2, fy, 64, cbs=[EarlyStopping(2, monitor="roc_auc")], val_idx=2)
    told = EarlyStopping(2, monitor="roc_auc", higher_better=True)
    with pytest.raises(InvalidArgument, match="records: trn_loss, val_loss"):
        model.fit(2, fy, 64, cbs=[told], val_idx=2)
    with pytest.raises(InvalidArgument, match="needs a validation fold"):
        model.fit(2, fy, 64, cbs=[EarlyStopping(2)])
    with pytest.raises(InvalidArgument, match="patience must be a positive int"):
        EarlyStopping(0)


def test_a_metric_says_which_way_is_better_so_save_best_keeps_the_highest_auc(fy, model, tmp_path):
    save_best = SaveBest(tmp_path / "best.pt", monitor="roc_auc")
    history = model.fit(4, fy, 32, cbs=[save_best, RocAucScore()], val_idx=2)
    assert save_best.higher_better is True
    assert save_best.best == max(history["roc_auc"])
    wrong = EarlyStopping(2, monitor="roc_auc", higher_better=False)
    with pytest.raises(InvalidArgument, match="for which higher is better"):
        model.fit(2, fy, 64, cbs=[wrong, RocAucScore()], val_idx=2)


def test_save_best_leaves_the_model_at_its_best_epoch(fy, model, tmp_path):
    save_best = SaveBest(tmp_path / "best.pt")
    history = model.fit(8, fy, 32, cbs=[save_best], val_idx=2)
    best = int(np.argmin(history["val_loss"]))
    assert save_best.best_epoch == best and (tmp_path / "best.pt").is_file()
    assert model.evaluate(fy, fold_idxs=[2]) == pytest.approx(history["val_loss"][best], rel=1e-5)


def test_roc_auc_is_computed_on_the_validation_fold_each_epoch(fy, model):
    history = model.fit(3, fy, 64, cbs=[RocAucScore()], val_idx=2)
    from sklearn.metrics import roc_auc_score

    assert len(history["roc_auc"]) == 3 and 0.9 < history["roc_auc"][-1] <= 1.0
    expected = roc_auc_score(fy[2]["targets"].ravel(), model.predict(fy[2]["inputs"]).ravel())
    assert history["roc_auc"][-1] == pytest.approx(expected, abs=1e-6)
    assert model.fit_params.metrics == {"roc_auc": history["roc_auc"][-1]}


def test_one_cycle_warms_up_then_anneals_the_learning_rate(fy, model):
    schedule = OneCycle(lr_max=0.05, pct_start=0.25, div=10, final_div=100)
    model.fit(4, fy, 32, cbs=[schedule], val_idx=2)
    lrs = np.array(schedule.lrs)
    peak = int(np.argmax(lrs))
    assert lrs[0] == pytest.approx(0.005)
    assert lrs[peak] == pytest.approx(0.05, rel=0.02) and 0.15 < peak / len(lrs) < 0.35
    assert np.all(np.diff(lrs[: peak + 1]) > 0) and np.all(np.diff(lrs[peak:]) < 0)
    assert 0.0005 < lrs[-1] < 0.001  # the last batch is one step short of the end, 0.0005
    group = model.opt.param_groups[0]
    assert group["lr"] == lrs[-1] and group["betas"][0] == pytest.approx(0.95, abs=0.01)
    with pytest.raises(InvalidArgument, match="pct_start"):
        OneCycle(0.1, pct_start=1.5)


def test_parametrised_prediction_sets_a_feature_and_leaves_the_callers_array(fy, model):
    model.fit(2, fy, 64)
    inputs = fy[0]["inputs"][:50]
    original = inputs.copy()
    fixed = ParametrisedPrediction(CANCER_FEATS, "worst area", 1.5)
    preds = model.predict(inputs, cbs=[fixed])
    by_hand = inputs.copy()
    by_hand[:, CANCER_FEATS.index("worst area")] = 1.5
    assert np.array_equal(inputs, original)
    assert np.allclose(preds, model.predict(by_hand))
    assert not np.allclose(preds, model.predict(inputs))
    with pytest.raises(InvalidArgument, match="not among the input features"):
        ParametrisedPrediction(CANCER_FEATS, "mass", 1.0)


def test_a_prediction_handler_subclass_transforms_what_predict_returns(fy, model):
    class Binned(PredHandler):
        def transform(self, preds):
            return (preds > 0.5).astype(np.int64)

    inputs = fy[0]["inputs"]
    binned = model.predict(inputs, pred_cb=Binned())
    assert binned.dtype == np.int64
    assert np.array_equal(binned, (model.predict(inputs) > 0.5).astype(np.int64))
    with pytest.raises(InvalidArgument, match="pred_cb must be a Callback with get_preds"):
        model.predict(inputs, pred_cb=Recorder())


def test_the_metastore_logger_writes_each_epoch_to_a_run(fy, model):
    from assay.orm import Run
    from tests.search.iris_queues import iris_queues

    run_id = iris_queues()[0].runs[0].id
    logger = MetastoreLogger(run_id)
    model.fit(3, fy, 64, cbs=[logger, RocAucScore()], val_idx=2)
    history = Run.get_by_id(run_id).history()
    assert list(history) == ["loss", "val_loss", "val_roc_auc"]
    assert history["loss"] == pytest.approx(model.fit_params.history["trn_loss"])
    assert history["val_roc_auc"] == pytest.approx(model.fit_params.history["roc_auc"])

    model.fit(2, fy, 64, cbs=[MetastoreLogger(run_id)])  # a second fit continues the run
    run = Run.get_by_id(run_id)
    assert [row.epoch for row in run.epochs] == [0, 1, 2, 3, 4]
    assert "val_loss" not in run.epochs[-1].metrics


def test_the_metastore_logger_reports_to_the_run_training_it_or_refuses(fy, model):
    from assay.train.live import epoch_hook

    seen = []
    with epoch_hook(lambda epoch, metrics: seen.append((epoch, metrics))):
        model.fit(2, fy, 64, cbs=[MetastoreLogger()], val_idx=2)
    assert [epoch for epoch, _ in seen] == [0, 1] and set(seen[0][1]) == {"loss", "val_loss"}

    recorder = Recorder()
    with pytest.raises(InvalidArgument, match="pass run_id"):
        model.fit(2, fy, 64, cbs=[MetastoreLogger(), recorder])
    assert ("on_batch_begin", "train") not in recorder.calls  # nothing trained


def test_the_metastore_logger_refuses_a_run_that_does_not_exist(fy, model):
    from assay.errors import NotFound

    with pytest.raises(NotFound, match="Run with id 999"):
        model.fit(1, fy, 64, cbs=[MetastoreLogger(999)])
    with pytest.raises(InvalidArgument, match="run_id must be"):
        MetastoreLogger("run-1")
