import numpy as np
import pytest
import torch
import torchmetrics
from sklearn.datasets import load_iris
from sklearn.preprocessing import StandardScaler

from assay.errors import InvalidArgument
from assay.train.live import epoch_hook
from assay.utils.pytorch import fit, metric_name


class Recorder(torch.nn.Module):
    """A linear model that records the size of each training batch."""

    def __init__(self, inputs=4, outputs=3):
        super().__init__()
        self.linear = torch.nn.Linear(inputs, outputs)
        self.batches = []

    def forward(self, *xs):
        x = torch.cat(xs, dim=1)
        if self.training:
            self.batches.append(len(x))
        return self.linear(x)


@pytest.fixture(scope="module")
def iris():
    x, y = load_iris(return_X_y=True)
    x = StandardScaler().fit_transform(x).astype("float32")
    order = np.random.default_rng(0).permutation(len(x))
    return x[order], y[order].reshape(-1, 1)


def run(model, x, y, **kwargs):
    optimizer = torch.optim.Adam(model.parameters(), lr=0.05)
    return fit(model, torch.nn.CrossEntropyLoss(), optimizer, x, y, x, y, **kwargs)


def test_fit_records_loss_and_metrics_per_epoch_and_reports_them(iris):
    x, y = iris
    reported = []
    metrics = [
        torchmetrics.Accuracy(task="multiclass", num_classes=3),
        torchmetrics.F1Score(task="multiclass", num_classes=3),
    ]
    torch.manual_seed(0)
    with epoch_hook(lambda epoch, values: reported.append((epoch, values))):
        model, history = run(Recorder(), x, y, epochs=5, batch_size=16, metrics=metrics)
    assert set(history) == {
        "loss",
        "val_loss",
        "accuracy",
        "val_accuracy",
        "f1_score",
        "val_f1_score",
    }
    assert all(isinstance(v, np.ndarray) and v.shape == (5,) for v in history.values())
    assert history["loss"][-1] < history["loss"][0] and history["accuracy"][-1] > 0.8
    assert [epoch for epoch, _ in reported] == [0, 1, 2, 3, 4]
    assert reported[-1][1]["accuracy"] == pytest.approx(history["accuracy"][-1])
    assert isinstance(model, Recorder)


def test_batches_follow_enforce_same_size_and_single_sample_rules(iris):
    x, y = iris[0][:21], iris[1][:21]
    model = Recorder()
    run(model, x, y, epochs=2, batch_size=5)  # 5,5,5,5,1: the short batch is dropped
    assert model.batches == [5] * 8
    model = Recorder()
    run(model, x, y, epochs=1, batch_size=5, enforce_sameSize=False)  # 1-sample batch dropped
    assert sorted(model.batches) == [5, 5, 5, 5]
    model = Recorder()
    run(model, x, y, epochs=1, batch_size=5, enforce_sameSize=False, allow_singleSample=True)
    assert sorted(model.batches) == [1, 5, 5, 5, 5]
    model = Recorder()
    run(model, x[:18], y[:18], epochs=1, batch_size=5, enforce_sameSize=False)
    assert sorted(model.batches) == [3, 5, 5, 5]


def test_samples_are_shuffled_each_epoch(iris):
    seen = []

    class Spy(Recorder):
        def forward(self, x):
            if self.training:
                seen.append(x[:, 0].clone())
            return self.linear(x)

    x, y = iris[0][:10], iris[1][:10]
    run(Spy(), x, y, epochs=2, batch_size=10)
    assert not torch.equal(seen[0], seen[1])
    assert torch.equal(seen[0].sort().values, seen[1].sort().values)


def test_multi_input_features_and_one_hot_labels(iris):
    x, y = iris
    one_hot = np.eye(3, dtype="float32")[y.ravel()]
    model = Recorder(inputs=4)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.05)
    metric = torchmetrics.Accuracy(task="multiclass", num_classes=3)
    _, history = fit(
        model,
        torch.nn.CrossEntropyLoss(),
        optimizer,
        [x[:, :2], x[:, 2:]],
        one_hot,
        [torch.tensor(x[:, :2]), torch.tensor(x[:, 2:])],
        one_hot,
        epochs=3,
        batch_size=10,
        metrics=[metric],
    )
    assert history["val_accuracy"].shape == (3,) and history["val_accuracy"][-1] > 0.6


def test_metric_names_are_snake_case():
    assert metric_name(torchmetrics.Accuracy(task="binary")) == "accuracy"
    assert metric_name(torchmetrics.MeanSquaredError()) == "mean_squared_error"
    assert metric_name(torchmetrics.AUROC(task="binary")) == "auroc"
    assert metric_name(torchmetrics.R2Score()) == "r2_score"


def test_regression_metrics_keep_float_targets():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(60, 2)).astype("float32")
    y = (x @ np.array([[1.5], [-2.0]], dtype="float32")) + 0.3
    model = torch.nn.Linear(2, 1)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.1)
    _, history = fit(
        model,
        torch.nn.MSELoss(),
        optimizer,
        x,
        y,
        x,
        y,
        epochs=20,
        batch_size=10,
        metrics=[torchmetrics.MeanAbsoluteError()],
    )
    assert history["val_mean_absolute_error"][-1] < history["val_mean_absolute_error"][0]
    assert history["val_mean_absolute_error"][-1] < 1.0


def test_bad_arguments(iris):
    x, y = iris
    with pytest.raises(InvalidArgument, match="epochs must be an int >= 1"):
        run(Recorder(), x, y, epochs=0)
    with pytest.raises(InvalidArgument, match="no batch to train on"):
        run(Recorder(), x[:3], y[:3], epochs=1, batch_size=5)
