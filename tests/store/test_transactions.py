import pandas as pd
import pytest
from sqlalchemy import func, select

from assay.orm import Dataset, Feature
from assay.store import reading, transaction

pytestmark = pytest.mark.usefixtures("backend")


def count(table) -> int:
    with reading() as db:
        return db.scalar(select(func.count()).select_from(table))


def test_a_failing_write_leaves_nothing_behind():
    dataset = Dataset.Tabular.from_df(pd.DataFrame({"a": [1.0, 2.0]}))
    with pytest.raises(RuntimeError, match="boom"), transaction() as db:
        db.add(Feature(dataset_id=dataset.id, columns=["a"]))
        db.flush()
        raise RuntimeError("boom")
    assert count(Feature) == 0


def test_blob_write_failure_rolls_back_the_row(monkeypatch):
    import assay.orm.dataset as module

    def broken_write(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(module, "write_blob", broken_write)
    with pytest.raises(OSError, match="disk full"):
        Dataset.Tabular.from_df(pd.DataFrame({"a": [1.0]}), name="half")
    assert count(Dataset) == 0


def test_foreign_keys_are_enforced():
    with pytest.raises(Exception, match=r"(?i)foreign key"), transaction() as db:
        db.add(Feature(dataset_id=12345, columns=["a"]))
    assert count(Feature) == 0
