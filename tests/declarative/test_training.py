"""The training loop of declarative models: history, seeds and early stopping."""

import numpy as np
import torch

from assay.declarative.training import train_loop
from assay.utils.pytorch import to_tensor

TRAINER = {"epochs": 20, "batch_size": 8, "early_stopping": None, "seed": 0}


def data(seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(64, 3)).astype("float32")
    y = (x @ np.asarray([1.0, -2.0, 0.5], dtype="float32"))[:, None]
    return [x], y


def eval_loss(model, loser, features, label):
    with torch.no_grad():
        return float(loser(model(to_tensor(features[0])), to_tensor(label)))


def test_every_epoch_is_recorded_and_a_seed_repeats_the_run():
    histories = []
    for _ in range(2):
        torch.manual_seed(0)
        model = torch.nn.Linear(3, 1)
        optimizer = torch.optim.Adam(model.parameters(), lr=0.05)
        _, history = train_loop(model, torch.nn.MSELoss(), optimizer, data(), data(1), TRAINER)
        histories.append(history)
    assert set(histories[0]) == {"loss", "val_loss"} and len(histories[0]["loss"]) == 20
    assert histories[0]["val_loss"][-1] < histories[0]["val_loss"][0]
    np.testing.assert_array_equal(histories[0]["loss"], histories[1]["loss"])


def test_early_stopping_stops_and_keeps_the_best_epoch():
    torch.manual_seed(0)
    model = torch.nn.Linear(3, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.9)  # too high: the loss diverges
    loser = torch.nn.MSELoss()
    evaluation = data(1)
    _, history = train_loop(
        model, loser, optimizer, data(), evaluation, {**TRAINER, "early_stopping": 2}
    )
    epochs = len(history["val_loss"])
    assert epochs < 20
    best = int(np.argmin(history["val_loss"]))
    assert epochs == best + 3  # two more epochs without a lower loss, then stop
    assert eval_loss(model, loser, *evaluation) == np.float32(history["val_loss"][best])


def test_classification_records_accuracy():
    x, y = data()
    classes = (y > 0).astype("float32")
    model = torch.nn.Sequential(torch.nn.Linear(3, 1), torch.nn.Sigmoid())
    optimizer = torch.optim.Adam(model.parameters(), lr=0.1)
    _, history = train_loop(
        model, torch.nn.BCELoss(), optimizer, (x, classes), (x, classes), TRAINER
    )
    assert history["val_accuracy"][-1] > 0.8
