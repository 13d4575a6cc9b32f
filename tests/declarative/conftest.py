"""Small datasets the declarative tests write: a mix of numbers, a category, text, a flag."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_iris


def mixed_frame() -> pd.DataFrame:
    """Iris with a garden (category), a note (text) and a flag (binary) beside the numbers."""
    iris = load_iris(as_frame=True)
    frame = iris.frame.rename(columns=lambda c: c.replace(" (cm)", "").replace(" ", "_"))
    frame["species"] = iris.target_names[frame.pop("target")]
    rng = np.random.default_rng(0)
    frame["garden"] = rng.choice(["north", "south", "east"], size=len(frame))
    frame["note"] = [
        f"{'long' if length > 4.5 else 'short'} petals, {rng.choice(['sunny', 'shaded'])} bed"
        for length in frame["petal_length"]
    ]
    frame["wide"] = np.where(frame["sepal_width"] > 3.0, "yes", "no")
    return frame


@pytest.fixture
def mixed_csv(tmp_path: Path) -> Path:
    path = tmp_path / "mixed.csv"
    mixed_frame().to_csv(path, index=False)
    return path


def config(**changes: object) -> dict:
    """A small, fast configuration over ``mixed_frame``'s columns."""
    base = {
        "input_features": [
            {"name": "petal_length", "type": "numerical"},
            {"name": "petal_width", "type": "numerical", "encoder": "dense"},
            {"name": "garden", "type": "category"},
            {"name": "note", "type": "text", "encoder": {"type": "rnn", "state_size": 8}},
        ],
        "output_features": [{"name": "species", "type": "category"}],
        "trainer": {"epochs": 4, "learning_rate": 0.05, "batch_size": 16},
        "splits": {"test_size": 0.2, "validation_size": 0.2},
    }
    base.update(changes)
    return base
