"""prepare(): a configuration and a dataset become assay's rows, and train like any Queue."""

import numpy as np
import pandas as pd
import pytest
from PIL import Image as PILImage

from assay.declarative import configuration_of, prepare
from assay.errors import InvalidArgument
from assay.orm import Dataset, Feature, Queue
from tests.declarative.conftest import config, mixed_frame


def test_a_category_output_records_every_row_and_decodes_its_predictions(mixed_csv):
    queue = prepare(config(), str(mixed_csv))
    splitset = queue.splitset
    assert queue.algorithm.library == "pytorch"
    assert queue.algorithm.analysis_type == "classification_multi"
    assert [f.columns for f in splitset.features] == [
        ["petal_length"],
        ["petal_width"],
        ["garden"],
        ["note"],
    ]
    assert list(splitset.label.columns) == ["species"]
    assert len(Dataset.select_where()) == 1  # one CSV, registered once
    queue.run_jobs(progress=False)
    assert [run.status for run in queue.runs] == ["succeeded"]
    predictor = queue.predictors[0]
    prediction = predictor.predictions[0]
    assert set(prediction.metrics) == {"train", "validation", "test"}
    assert prediction.metrics["test"]["accuracy"] > 0.5
    frame = prediction.to_df("test")
    assert set(frame["species"]) <= {"setosa", "versicolor", "virginica"}
    assert len(predictor.history["loss"]) == 4 and "val_accuracy" in predictor.history
    base, metas = configuration_of(predictor)
    assert base["input_features"][3]["encoder"]["state_size"] == 8
    assert metas["garden"]["vocabulary"] == ["east", "north", "south"]


def test_regression_and_binary_outputs_and_folds():
    frame = mixed_frame()
    inputs = [{"name": "petal_length", "type": "numerical"}, {"name": "garden", "type": "category"}]
    trainer = {"epochs": 3, "learning_rate": 0.05}
    regression = prepare(
        config(
            input_features=inputs,
            output_features=[{"name": "sepal_length", "type": "numerical", "loss": "mae"}],
            trainer=trainer,
            splits={"test_size": 0.2, "validation_size": None, "folds": 2},
        ),
        frame,
    )
    assert regression.algorithm.analysis_type == "regression"
    assert len(regression.splitset.folds) == 2
    regression.run_jobs(progress=False)
    assert len(regression.predictors) == 2  # one per fold
    test = regression.predictors[0].predictions[0].to_df("test")
    assert test["sepal_length"].between(3, 9).all()  # decoded back to centimetres
    binary = prepare(
        config(
            input_features=inputs,
            output_features=[{"name": "wide", "type": "binary"}],
            trainer=trainer,
        ),
        frame,
    )
    assert binary.algorithm.analysis_type == "classification_binary"
    binary.run_jobs(progress=False)
    decoded = binary.predictors[0].predictions[0].to_df("test")
    assert set(decoded["wide"]) <= {"yes", "no"}


def test_sequence_timeseries_and_image_inputs(tmp_path):
    rng = np.random.default_rng(1)
    rows = []
    for at in range(40):
        label = at % 2
        path = tmp_path / f"img{at}.png"
        PILImage.fromarray((rng.random((6, 6)) * 255 * (0.3 + 0.7 * label)).astype("uint8")).save(
            path
        )
        steps = " ".join(str(v) for v in rng.normal(label * 3, 1, 4 + at % 3).round(2))
        events = " ".join(rng.choice(["view", "buy"] if label else ["view", "leave"], 3))
        rows.append({"image": path.name, "series": steps, "events": events, "label": label})
    csv = tmp_path / "mixed.csv"
    pd.DataFrame(rows).to_csv(csv, index=False)
    queue = prepare(
        {
            "input_features": [
                {
                    "name": "image",
                    "type": "image",
                    "encoder": {"type": "stacked_cnn", "num_layers": 1},
                },
                {"name": "series", "type": "timeseries", "encoder": "parallel_cnn"},
                {"name": "events", "type": "sequence"},
            ],
            "output_features": [{"name": "label", "type": "binary"}],
            "trainer": {"epochs": 2, "batch_size": 8},
        },
        csv,
    )
    queue.run_jobs(progress=False)
    assert [run.status for run in queue.runs] == ["succeeded"]
    shapes = queue.predictors[0].features_shapes
    assert [tuple(s) for s in shapes] == [(36,), (6,), (3,)]


def test_bad_input_writes_nothing(mixed_csv):
    before = len(Feature.select_where()), len(Queue.select_where())
    with pytest.raises(
        InvalidArgument,
        match=r"input_features\[0\] \('petals', numerical\): the dataset has no column 'petals'",
    ):
        prepare(config(input_features=[{"name": "petals", "type": "numerical"}]), str(mixed_csv))
    with pytest.raises(InvalidArgument, match="must have two values; got 3"):
        prepare(config(output_features=[{"name": "species", "type": "binary"}]), str(mixed_csv))
    with pytest.raises(InvalidArgument, match="no such file"):
        prepare(config(), "missing.csv")
    with pytest.raises(InvalidArgument, match="hyperopt is missing"):
        prepare(config(), str(mixed_csv), search=True)
    assert (len(Feature.select_where()), len(Queue.select_where())) == before == (0, 0)
    assert Dataset.select_where() == []


def test_a_registered_dataset_is_used_by_its_id():
    dataset = Dataset.Tabular.from_df(mixed_frame())
    queue = prepare(config(), str(dataset.id))
    assert {feature.dataset_id for feature in queue.splitset.features} == {dataset.id}
    assert len(Dataset.select_where()) == 1
    with pytest.raises(InvalidArgument, match="dataset: Dataset with id 99"):
        prepare(config(), 99)
