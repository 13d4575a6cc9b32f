import json
import subprocess
import sys

import numpy as np
import pytest
import torch
from sklearn.datasets import load_breast_cancer, load_iris
from sklearn.preprocessing import StandardScaler

from assay.errors import InvalidArgument
from assay.train.adapters import get_adapter
from assay.utils.pytorch import fit


def shuffled(loader, train=100):
    x, y = loader(return_X_y=True)
    order = np.random.default_rng(0).permutation(len(x))
    x, y = StandardScaler().fit_transform(x)[order].astype("float32"), y[order].reshape(-1, 1)
    return (x[:train], y[:train]), (x[train:], y[train:])


@pytest.fixture(scope="module")
def iris():
    return shuffled(load_iris)


def fn_build(features_shape, label_shape, **hp):
    class Net(torch.nn.Module):  # local: pickled by value, like a class from a notebook
        def __init__(self):
            super().__init__()
            self.hidden = torch.nn.Linear(features_shape[0], hp["neurons"])
            self.out = torch.nn.Linear(hp["neurons"], 3)

        def forward(self, x):
            return self.out(torch.relu(self.hidden(x)))

    torch.manual_seed(0)
    return Net()


def train_with_fit(model, loser, optimizer, train_x, train_y, eval_x, eval_y, **hp):
    import torchmetrics

    return fit(
        model,
        loser,
        optimizer,
        train_x,
        train_y,
        eval_x,
        eval_y,
        epochs=hp["epochs"],
        batch_size=10,
        metrics=[torchmetrics.Accuracy(task="multiclass", num_classes=3)],
    )


def train_spec_order(model, loser, optimizer, train_x, train_y, eval_x, eval_y, **hp):
    model, history = train_with_fit(model, loser, optimizer, train_x, train_y, eval_x, eval_y, **hp)
    return history, model  # the spec's template: `return history, model`


def test_multiclass_on_iris_with_defaults_and_live_history(iris):
    adapter = get_adapter("pytorch")
    fns = adapter.resolve(
        {"fn_build": fn_build, "fn_train": train_with_fit}, "classification_multi"
    )
    reported = []
    model, history = adapter.run(
        fns,
        {"neurons": 8, "epochs": 6, "learning_rate": 0.05},
        (4,),
        (1,),
        *iris,
        on_epoch=lambda epoch, metrics: reported.append((epoch, metrics)),
    )
    assert set(history) == {"loss", "val_loss", "accuracy", "val_accuracy"}
    assert all(len(values) == 6 for values in history.values())
    assert [epoch for epoch, _ in reported] == list(range(6))  # once per epoch, in order
    assert reported[-1][1]["val_loss"] == pytest.approx(history["val_loss"][-1])
    x, y = iris[1]
    predictions, probabilities = adapter.predict(fns["fn_predict"], model, x)
    assert predictions.shape == (50,) and probabilities.shape == (50, 3)
    assert np.allclose(probabilities.sum(axis=1), 1) and (predictions == y.ravel()).mean() > 0.8
    loss = adapter.loss(fns["fn_lose"], model, x, y, "classification_multi", {})
    assert loss == pytest.approx(history["val_loss"][-1], rel=1e-4)


def test_both_return_orders_give_the_same_model_and_history(iris):
    adapter = get_adapter("pytorch")
    results = []
    for train in (train_with_fit, train_spec_order):
        fns = adapter.resolve({"fn_build": fn_build, "fn_train": train}, "classification_multi")
        torch.manual_seed(1)
        results.append(adapter.run(fns, {"neurons": 4, "epochs": 2}, (4,), (1,), *iris))
    (model_a, history_a), (model_b, history_b) = results
    assert isinstance(model_a, torch.nn.Module) and isinstance(model_b, torch.nn.Module)
    assert history_a == history_b


def test_a_hand_written_history_is_reported_after_training(iris):
    adapter = get_adapter("pytorch")

    def train(model, loser, optimizer, train_x, train_y, eval_x, eval_y, **hp):
        history = {"loss": [], "val_loss": []}
        x, y = torch.tensor(train_x), torch.tensor(train_y.ravel())
        for _ in range(3):
            optimizer.zero_grad()
            loss = loser(model(x), y)
            loss.backward()
            optimizer.step()
            history["loss"].append(loss.item())
            history["val_loss"].append(loss.item())
        return history, model

    fns = adapter.resolve({"fn_build": fn_build, "fn_train": train}, "classification_multi")
    reported = []
    _, history = adapter.run(
        fns, {"neurons": 4}, (4,), (1,), *iris, on_epoch=lambda e, m: reported.append(e)
    )
    assert reported == [0, 1, 2] and len(history["loss"]) == 3


def test_binary_defaults_threshold_sigmoid_outputs():
    adapter = get_adapter("pytorch")
    train, evaluate = shuffled(load_breast_cancer, train=400)

    def build(features_shape, label_shape, **hp):
        return torch.nn.Sequential(torch.nn.Linear(features_shape[0], 1), torch.nn.Sigmoid())

    def train_fn(model, loser, optimizer, train_x, train_y, eval_x, eval_y, **hp):
        return fit(model, loser, optimizer, train_x, train_y, eval_x, eval_y, epochs=3)

    fns = adapter.resolve({"fn_build": build, "fn_train": train_fn}, "classification_binary")
    assert isinstance(fns["fn_lose"](), torch.nn.BCELoss)
    model, history = adapter.run(fns, {"learning_rate": 0.05}, (30,), (1,), train, evaluate)
    assert len(history["loss"]) == 3
    predictions, probabilities = adapter.predict(fns["fn_predict"], model, evaluate[0])
    assert probabilities.shape == (len(evaluate[0]),)
    assert np.array_equal(predictions, (probabilities > 0.5).astype(int))
    assert (predictions == evaluate[1].ravel()).mean() > 0.9


def test_predict_is_batched_but_equals_one_forward_pass(iris, monkeypatch):
    from assay.train.adapters import pytorch as torch_adapter

    model = fn_build((4,), (1,), neurons=4)
    x = iris[0][0]
    whole = torch.softmax(model(torch.tensor(x)), dim=1).detach().numpy()
    monkeypatch.setattr(torch_adapter, "PREDICT_BATCH", 7)
    fn_predict = torch_adapter.default_predict("classification_multi")
    _, probabilities = get_adapter("pytorch").predict(fn_predict, model, x)
    assert np.allclose(probabilities, whole, atol=1e-6)


def test_model_and_optimizer_load_in_a_fresh_process(iris, tmp_path):
    adapter = get_adapter("pytorch")
    fns = adapter.resolve(
        {"fn_build": fn_build, "fn_train": train_with_fit}, "classification_multi"
    )
    model, _ = adapter.run(fns, {"neurons": 5, "epochs": 2}, (4,), (1,), *iris)
    x = iris[1][0][:10]
    (tmp_path / "model.pt").write_bytes(adapter.save(model))
    np.save(tmp_path / "x.npy", x)
    code = (
        "import json, numpy as np, torch; from assay.train.adapters import get_adapter; "
        f"p = {str(tmp_path)!r}; "
        "model, opt = get_adapter('pytorch').load(open(p + '/model.pt', 'rb').read()); "
        "out = model(torch.tensor(np.load(p + '/x.npy'))).detach().numpy().tolist(); "
        "state = opt.state_dict()['state']; "
        "shared = opt.param_groups[0]['params'][0] is next(model.parameters()); "
        "print(json.dumps([out, type(opt).__name__, len(state), shared, model.training]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=tmp_path
    )
    outputs, optimizer_name, state_count, shared, training = json.loads(out.stdout)
    model.eval()
    assert np.allclose(outputs, model(torch.tensor(x)).detach().numpy(), atol=1e-6)
    assert optimizer_name == "Adamax" and state_count == 4 and shared and not training
    # an explicit optimizer wins; a model never trained by a run saves none
    fresh = fn_build((4,), (1,), neurons=5)
    assert adapter.load(adapter.save(fresh))[1] is None
    optimizer = torch.optim.SGD(fresh.parameters(), lr=0.1)
    assert isinstance(adapter.load(adapter.save(fresh, optimizer))[1], torch.optim.SGD)


def test_fn_build_returning_none_is_a_clear_error(iris):
    adapter = get_adapter("pytorch")
    fns = adapter.resolve(
        {"fn_build": lambda f, lab, **hp: None, "fn_train": train_with_fit}, "regression"
    )
    with pytest.raises(InvalidArgument, match="fn_build returned None"):
        adapter.run(fns, {}, (4,), (1,), *iris)
