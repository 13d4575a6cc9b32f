import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_digits, load_iris

from assay.errors import DataChanged, InvalidArgument
from assay.orm import Dataset
from assay.store import transaction
from assay.store.artifacts import artifacts_dir, host_name


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


def artifact_files() -> list[str]:
    return sorted(path.name for path in artifacts_dir().iterdir())


def test_a_registration_its_outer_transaction_rolls_back_leaves_no_file(tiny_inline_limit):
    frame = load_iris(as_frame=True).frame
    with pytest.raises(RuntimeError, match="a later step"), transaction():
        dataset = Dataset.Tabular.from_df(frame)
        assert artifact_files() == [dataset.artifact]
        raise RuntimeError("a later step failed")
    assert artifact_files() == []
    assert Dataset.select_where() == []


def test_a_registration_whose_transaction_fails_leaves_no_file(tiny_inline_limit, monkeypatch):
    def fail(*args, **kwargs):
        raise RuntimeError("the metastore refused the row")

    monkeypatch.setattr("assay.orm.dataset.find_duplicate", fail)
    with pytest.raises(RuntimeError, match="refused the row"):
        Dataset.Image.from_numpy(load_digits().images[:, None, :, :])
    assert artifact_files() == []


def test_a_file_other_rows_share_is_kept_on_rollback(tiny_inline_limit):
    frame = load_iris(as_frame=True).frame
    kept = Dataset.Tabular.from_df(frame, name="kept")
    with pytest.raises(RuntimeError), transaction():
        Dataset.Tabular.from_df(frame, name="rolled back")
        raise RuntimeError("a later step failed")
    assert artifact_files() == [kept.artifact]
    pd.testing.assert_frame_equal(kept.to_df(), frame)


def test_a_duplicate_kept_inline_leaves_no_new_file(monkeypatch):
    frame = load_iris(as_frame=True).frame
    inline = Dataset.Tabular.from_df(frame)
    monkeypatch.setenv("ASSAY_INLINE_LIMIT_MB", str(1 / 1024))
    assert Dataset.Tabular.from_df(frame).id == inline.id
    assert artifact_files() == []


def staging_file(pid: int, host: str | None = None) -> str:
    name = f".staging-{host or host_name()}-{pid}-{uuid.uuid4().hex}.parquet"
    (artifacts_dir() / name).write_bytes(b"half written")
    return name


def wait_until_zombie(pid: int) -> None:
    stat = Path(f"/proc/{pid}/stat")
    deadline = time.monotonic() + 30
    while stat.read_text().rsplit(")", 1)[-1].split()[0] != "Z":
        assert time.monotonic() < deadline, "the child process did not exit"
        time.sleep(0.01)


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc to make a zombie")
def test_staging_files_of_ended_writers_are_removed_on_next_write(tiny_inline_limit):
    ended = subprocess.Popen([sys.executable, "-c", "pass"])
    ended.wait()
    zombie = subprocess.Popen([sys.executable, "-c", "pass"])  # ended, never waited for
    running = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        wait_until_zombie(zombie.pid)
        os.kill(zombie.pid, 0)  # a zombie still answers a signal, yet its writing has ended
        gone = [staging_file(ended.pid), staging_file(zombie.pid)]
        kept = [
            staging_file(running.pid),
            staging_file(os.getpid()),
            staging_file(ended.pid, host="another-host"),
            staging_file(ended.pid, host=host_name() + "-2"),
        ]
        legacy = artifacts_dir() / f".staging-{uuid.uuid4().hex}.npy"
        legacy.write_bytes(b"left by an older assay")
        os.utime(legacy, (time.time() - 2 * 86400,) * 2)
        dataset = Dataset.Tabular.from_df(load_iris(as_frame=True).frame)
    finally:
        running.kill()
        running.wait()
        zombie.wait()
    assert artifact_files() == sorted([dataset.artifact, *kept])
    assert not set(gone) & set(artifact_files())


def test_bad_input_writes_no_file(tiny_inline_limit):
    frame = load_iris(as_frame=True).frame
    with pytest.raises(InvalidArgument, match="name must be at most 255 characters"):
        Dataset.Tabular.from_df(frame, name="n" * 256)
    with pytest.raises(InvalidArgument, match="column 'mixed' cannot be stored"):
        Dataset.Tabular.from_df(frame.assign(mixed=[1, "x"] * 75))
    assert artifact_files() == []
