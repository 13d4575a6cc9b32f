import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_digits, load_iris

from assay.errors import DataChanged
from assay.orm import Dataset
from assay.store.artifacts import artifacts_dir


@pytest.fixture
def tiny_inline_limit(monkeypatch):
    """Every payload above 1 KiB becomes an artifact file."""
    monkeypatch.setenv("ASSAY_INLINE_LIMIT_MB", str(1 / 1024))


def test_large_tabular_payload_is_a_content_addressed_file(tiny_inline_limit):
    frame = load_iris(as_frame=True).frame
    dataset = Dataset.Tabular.from_df(frame, name="iris")
    assert dataset.artifact == f"{dataset.sha256_hexdigest}.parquet"
    assert (artifacts_dir() / dataset.artifact).is_file()
    pd.testing.assert_frame_equal(Dataset.to_df(dataset.id), frame)
    assert not [path for path in artifacts_dir().iterdir() if path.name.startswith(".staging")]


def test_large_array_payload_round_trips(tiny_inline_limit):
    images = load_digits().images[:, None, :, :]
    dataset = Dataset.Image.from_numpy(images)
    assert dataset.artifact.endswith(".npy")
    np.testing.assert_array_equal(dataset.to_arr(), images)


def test_small_payloads_stay_inline():
    dataset = Dataset.Tabular.from_df(load_iris(as_frame=True).frame)
    assert dataset.artifact is None
    assert list(artifacts_dir().iterdir()) == []


def test_identical_payloads_share_one_file(tiny_inline_limit):
    frame = load_iris(as_frame=True).frame
    first = Dataset.Tabular.from_df(frame, name="a")
    second = Dataset.Tabular.from_df(frame, name="b")
    assert first.artifact == second.artifact
    assert len(list(artifacts_dir().iterdir())) == 1


def test_a_missing_artifact_file_is_reported(tiny_inline_limit):
    dataset = Dataset.Tabular.from_df(load_iris(as_frame=True).frame)
    (artifacts_dir() / dataset.artifact).unlink()
    with pytest.raises(DataChanged, match=r"artifact file .* is missing"):
        dataset.to_df()
