"""``tensorboard``: event files of a trained run, read back with TensorBoard's own reader."""

from __future__ import annotations

import json

import pytest

from assay.integrations import load_integrations
from tests.registry.formats.models import trained

pytest.importorskip("tensorboard", reason="pip install 'assay[integrations]' for TensorBoard")


def test_each_epoch_and_the_hyperparameters_are_in_the_run_s_event_file(tmp_path):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    with load_integrations(["tensorboard"], log_dir=tmp_path / "tb").active():
        predictor = trained("pytorch")
    folder = tmp_path / "tb" / f"run-{predictor.run_id}"
    events = EventAccumulator(str(folder))
    events.Reload()
    assert {"loss", "val_loss"} <= set(events.Tags()["scalars"])
    loss = events.Scalars("loss")
    assert [event.step for event in loss] == list(range(6))
    assert [event.value for event in loss] == pytest.approx(predictor.history["loss"], rel=1e-6)
    (text,) = events.Tensors("hyperparameters/text_summary")
    written = json.loads(text.tensor_proto.string_val[0].decode())
    assert written == {"library": "pytorch", "analysis_type": "classification_multi"}
    (prediction,) = predictor.predictions
    accuracy = events.Scalars("test/accuracy")
    assert accuracy[0].value == pytest.approx(prediction.metrics["test"]["accuracy"])
