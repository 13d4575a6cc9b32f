"""Integrations by name: loading, what is refused, and the hooks every trained run calls."""

from __future__ import annotations

import os

import pytest

from assay.errors import InvalidArgument
from assay.integrations import (
    ENVIRONMENT,
    HOOKS,
    Integration,
    IntegrationWarning,
    current,
    integration_registry,
    load_integrations,
)
from tests.registry.formats.models import trained


class Recorder(Integration):
    """Keeps every hook call, in order."""

    def __init__(self, label: str = "default") -> None:
        self.label = label
        self.calls: list[tuple[str, dict]] = []
        self.closed = False

    def train_init(self, **kwargs):
        self.calls.append(("train_init", kwargs))

    def train_epoch_end(self, **kwargs):
        self.calls.append(("train_epoch_end", kwargs))

    def train_model(self, **kwargs):
        self.calls.append(("train_model", kwargs))

    def train_save(self, **kwargs):
        self.calls.append(("train_save", kwargs))

    def train_end(self, **kwargs):
        self.calls.append(("train_end", kwargs))

    def close(self):
        self.closed = True


class Broken(Integration):
    def train_epoch_end(self, **kwargs):
        raise RuntimeError("the tracking server is down")


@pytest.fixture(autouse=True)
def registered(monkeypatch):
    monkeypatch.setitem(integration_registry, "recorder", Recorder)
    monkeypatch.setitem(integration_registry, "broken", Broken)


def test_every_epoch_and_the_run_s_start_and_end_reach_the_active_integrations():
    integrations = load_integrations(["recorder"], label="a")
    (recorder,) = integrations
    assert recorder.name == "recorder" and recorder.label == "a"
    with integrations.active() as active:
        assert current() is active
        assert os.environ[ENVIRONMENT] == '[["recorder", {"label": "a"}]]'
        predictor = trained("pytorch")
    assert current() is None and ENVIRONMENT not in os.environ and recorder.closed
    hooks = [hook for hook, _ in recorder.calls]
    assert hooks == ["train_init"] + ["train_epoch_end"] * 6 + [
        "train_model",
        "train_save",
        "train_end",
    ]
    init, *epochs, model, save, end = (kwargs for _, kwargs in recorder.calls)
    run_id = predictor.run_id
    assert init["run_id"] == run_id and init["library"] == "pytorch"
    assert init["analysis_type"] == "classification_multi" and init["hyperparameters"] == {}
    assert [epoch["epoch"] for epoch in epochs] == list(range(6))
    assert all(epoch["run_id"] == run_id for epoch in epochs)
    assert set(epochs[0]["metrics"]) >= {"loss", "val_loss"}
    assert [epoch["metrics"]["loss"] for epoch in epochs] == pytest.approx(
        predictor.history["loss"]
    )
    assert model["model"].__class__.__name__ == "Sequential" and model["model_file"]
    assert save["predictor_id"] == predictor.id
    assert end["status"] == "succeeded" and end["predictor_id"] == predictor.id
    assert set(end["metrics"]) == {"train", "test"} and "accuracy" in end["metrics"]["test"]


def test_a_failing_integration_warns_and_the_run_still_succeeds():
    with (
        load_integrations(["broken"]).active(),
        pytest.warns(IntegrationWarning, match="'broken' failed in train_epoch_end"),
    ):
        predictor = trained("pytorch")
    assert predictor.id is not None


def test_unknown_repeated_and_misdirected_names_are_refused():
    with pytest.raises(InvalidArgument, match=r"integration must be one of \[.*'recorder'"):
        load_integrations(["recorder", "nope"])
    with pytest.raises(InvalidArgument, match="'recorder' is asked for more than once"):
        load_integrations(["recorder", "recorder"])
    with pytest.raises(InvalidArgument, match=r"options are given for \['broken'\]"):
        load_integrations(["recorder"], options={"broken": {}})
    with pytest.raises(InvalidArgument, match=r"Recorder takes \['label'\]"):
        load_integrations(["recorder"], options={"recorder": {"colour": "red"}})
    with pytest.raises(InvalidArgument, match="hook must be one of"):
        load_integrations(["recorder"]).call("train_begin", run_id=1)


def test_hooks_are_no_ops_on_the_base_class():
    plain = Integration()
    for hook in HOOKS:
        assert getattr(plain, hook)(anything=1) is None
    assert Integration.import_call(["assay"]) is None
