"""Model: fit over a fold file, predict (arrays, or written back to the file), evaluate, save."""

from __future__ import annotations

import pickle
import subprocess
import sys

import numpy as np
import pytest
import torch
from sklearn.metrics import roc_auc_score

from assay.errors import InvalidArgument
from assay.nn import Callback, FoldYielder, Model
from tests.nn.foldfiles import (
    CANCER_FEATS,
    DIABETES_FEATS,
    builder,
    cancer_foldfile,
    diabetes_foldfile,
)


@pytest.fixture
def fy(tmp_path):
    return cancer_foldfile(tmp_path, n_folds=4, weights=True)


def new_model(seed=0, lr=1e-2):
    torch.manual_seed(seed)
    return Model(builder("classification", CANCER_FEATS, lr=lr), device="cpu")


def test_fit_learns_the_task_and_reports_the_losses_per_epoch(fy):
    model = new_model()
    untrained = model.evaluate(fy, fold_idxs=[3])
    history = model.fit(6, fy, 32, val_idx=3)
    assert list(history) == ["trn_loss", "val_loss"]
    assert len(history["trn_loss"]) == len(history["val_loss"]) == 6
    assert history["trn_loss"][-1] < history["trn_loss"][0] and history["val_loss"][-1] < untrained
    preds = model.predict(fy[3]["inputs"])
    assert preds.shape == (fy.n_samples(3), 1) and ((preds >= 0) & (preds <= 1)).all()
    assert roc_auc_score(fy[3]["targets"], preds[:, 0]) > 0.95
    # the last validation loss is the model's loss on that fold, weighted as in training
    assert model.evaluate(fy, fold_idxs=[3]) == pytest.approx(history["val_loss"][-1], rel=1e-5)
    assert model.fit_params.epoch == 5 and model.fit_params.x is None  # batches released


def test_fit_trains_only_on_the_training_folds(fy):
    class Folds(Callback):
        def __init__(self):
            self.read = set()

        def on_fold_begin(self):
            self.read.add((self.model.fit_params.state, self.model.fit_params.fold_idx))

    folds = Folds()
    new_model().fit(2, fy, 64, cbs=[folds], trn_idxs=[0, 2], val_idx=1)
    assert folds.read == {("train", 0), ("train", 2), ("valid", 1)}


def test_weights_weight_the_loss_unless_train_on_weights_is_false(fy):
    model = new_model()
    data = fy[0]
    weighted = model.evaluate(data["inputs"], data["targets"], data["weights"])
    unweighted = model.evaluate(data["inputs"], data["targets"], data["weights"], on_weights=False)
    assert model.evaluate(data["inputs"], data["targets"]) == pytest.approx(unweighted)
    rows = model.loss.base(  # per-row losses, by hand: mean(w * l)
        torch.from_numpy(model.predict(data["inputs"])),
        torch.from_numpy(data["targets"].reshape(-1, 1).astype(np.float32)),
    ).numpy()[:, 0]
    assert weighted == pytest.approx(float(np.mean(rows * data["weights"])), rel=1e-5)
    assert unweighted == pytest.approx(float(rows.mean()), rel=1e-5)

    on = new_model().fit(1, fy, 64, val_idx=3)
    off = new_model().fit(1, fy, 64, val_idx=3, train_on_weights=False)
    assert on["trn_loss"] != pytest.approx(off["trn_loss"])


def test_predicting_a_fold_file_writes_each_folds_predictions_back(fy):
    model = new_model()
    model.fit(2, fy, 64, val_idx=0)
    assert model.predict(fy, pred_name="nn_pred") is None
    frame = fy.get_df(pred_name="nn_pred", fold_idx=2)
    assert list(frame.columns) == ["targets", "weights", "nn_pred"]
    assert np.allclose(frame["nn_pred"], model.predict(fy[2]["inputs"])[:, 0])
    assert len(fy.get_df(pred_name="nn_pred")) == sum(fy.n_samples(i) for i in range(4))


def test_predict_in_batches_equals_predict_at_once(fy):
    model = new_model()
    inputs = fy[1]["inputs"]
    assert np.allclose(model.predict(inputs, bs=17), model.predict(inputs))
    tensor = torch.from_numpy(inputs)
    assert np.allclose(model.predict(tensor), model.predict(inputs))


def test_regression_fits_a_continuous_target(tmp_path):
    fy = diabetes_foldfile(tmp_path)
    torch.manual_seed(0)
    model = Model(builder("regression", DIABETES_FEATS, lr=3e-3), device="cpu")
    history = model.fit(10, fy, 32, val_idx=0)
    assert history["val_loss"][-1] < 0.7  # the target has variance 1; the features explain some
    preds = model.predict(fy[0]["inputs"])
    mse = float(np.mean((preds[:, 0] - fy[0]["targets"].ravel()) ** 2))
    assert mse == pytest.approx(history["val_loss"][-1], rel=1e-4)


def test_save_and_from_save_give_the_same_model(fy, tmp_path):
    model = new_model()
    model.fit(2, fy, 64, val_idx=0)
    path = model.save(tmp_path / "saved" / "model.pt")
    inputs = fy[0]["inputs"]

    restored = Model.from_save(path, device="cpu")
    assert np.array_equal(restored.predict(inputs), model.predict(inputs))
    assert restored.fold_file == model.fold_file == str(fy.path.resolve())
    assert restored.opt.state_dict()["state"].keys() == model.opt.state_dict()["state"].keys()

    fresh = new_model(seed=5).load(path)
    assert np.array_equal(fresh.predict(inputs), model.predict(inputs))

    wider = Model(builder("classification", CANCER_FEATS, width=32), device="cpu")
    with pytest.raises(InvalidArgument, match="another network"):
        wider.load(path)
    with pytest.raises(InvalidArgument, match="does not exist"):
        Model.from_save(tmp_path / "missing.pt")


def test_a_model_pickles_without_its_fit_state(fy):
    model = new_model()
    model.fit(1, fy, 64, val_idx=0)
    copy = pickle.loads(pickle.dumps(model))
    assert copy.fit_params is None
    assert np.array_equal(copy.predict(fy[0]["inputs"]), model.predict(fy[0]["inputs"]))


def test_bad_arguments_are_refused_before_anything_trains(fy):
    class Counter(Callback):
        calls = 0

        def on_train_begin(self):
            Counter.calls += 1

    model = new_model()
    before = {k: v.clone() for k, v in model.model.state_dict().items()}
    cases = [
        ({"n_epochs": 0}, "n_epochs must be a positive int"),
        ({"bs": 0}, "bs must be a positive int"),
        ({"fy": fy[0]}, "fy must be a FoldYielder"),
        ({"val_idx": 4}, "val_idx must be a fold index from 0 to 3"),
        ({"val_idx": 1, "trn_idxs": [0, 1]}, "also in trn_idxs"),
        ({"trn_idxs": [0, 0]}, "must not repeat"),
        ({"cbs": [Counter]}, r"a class: pass an instance"),
    ]
    for change, message in cases:
        arguments = {"n_epochs": 1, "fy": fy, "bs": 64, "cbs": [Counter()], **change}
        with pytest.raises(InvalidArgument, match=message):
            model.fit(**arguments)
    assert Counter.calls == 0
    after = model.model.state_dict()
    assert all(torch.equal(before[k], after[k]) for k in before)
    with pytest.raises(InvalidArgument, match="model_builder must be a ModelBuilder"):
        Model(None)
    with pytest.raises(InvalidArgument, match="targets must be given"):
        model.evaluate(fy[0]["inputs"])
    with pytest.raises(InvalidArgument, match="fold_idxs must be a fold index from 0 to 3"):
        model.evaluate(fy, fold_idxs=[7])


def test_importing_assay_nn_and_its_training_names_leaves_torch_unloaded():
    # torch loads when a Model is made, not when the names are imported
    code = (
        "import sys, assay.nn, assay.nn.callbacks; "
        "from assay.nn import Model, Ensemble, train_models, EarlyStopping, MetastoreLogger; "
        "print('torch' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False"]


def test_an_augmenting_fold_yielder_augments_training_folds_only(fy):
    from assay.nn.data import FlipAugFoldYielder

    flips = FlipAugFoldYielder(fy.path, flip_feats=["mean radius", "worst area"], seed=0)
    stored = {i: fy[i]["inputs"] for i in range(fy.n_folds)}
    fy.close()  # HDF5 lets a process open a file read-write only when no one reads it
    column = CANCER_FEATS.index("mean radius")

    class Seen(Callback):
        def __init__(self):
            self.flipped = {}

        def on_fold_begin(self):
            fp = self.model.fit_params
            inputs = fp.by.inputs.numpy()
            self.flipped[fp.state] = bool(
                (inputs[:, column] != stored[fp.fold_idx][:, column]).any()
            )

    seen = Seen()
    model = new_model()
    model.fit(1, flips, 64, cbs=[seen], val_idx=3)
    assert seen.flipped == {"train": True, "valid": False}
    assert model.evaluate(flips, fold_idxs=[3]) == pytest.approx(model.fit_params.val_loss)

    # prediction averages over the four flip patterns (test-time augmentation)
    model.predict(flips, pred_name="tta")
    by_hand = np.mean([model.predict(flips.get_test_fold(2, k)["inputs"]) for k in range(4)], 0)
    assert np.allclose(flips.get_column("tta", fold_idx=2), by_hand, atol=1e-6)
    assert not np.allclose(by_hand, model.predict(stored[2]), atol=1e-4)


def test_a_multiclass_model_predicts_class_probabilities(tmp_path):
    from sklearn.datasets import load_wine
    from sklearn.preprocessing import StandardScaler

    from assay.nn import ModelBuilder, df2foldfile

    frame = load_wine(as_frame=True).frame
    feats = [name for name in frame.columns if name != "target"]
    frame[feats] = StandardScaler().fit_transform(frame[feats])
    path = df2foldfile(
        frame, 3, feats, [], "target", tmp_path / "wine", "int64", strat_key="target"
    )
    fy = FoldYielder(path)
    torch.manual_seed(0)
    model = Model(ModelBuilder("multiclass", feats, n_out=3), device="cpu")
    history = model.fit(8, fy, 16, val_idx=0)
    probabilities = model.predict(fy[0]["inputs"])
    assert probabilities.shape == (fy.n_samples(0), 3)
    assert np.allclose(probabilities.sum(1), 1, atol=1e-5) and (probabilities >= 0).all()
    accuracy = (probabilities.argmax(1) == fy[0]["targets"].ravel()).mean()
    assert accuracy > 0.9 and history["val_loss"][-1] < history["val_loss"][0]
