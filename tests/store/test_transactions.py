import pandas as pd
import pytest
from sqlalchemy import func, select

from assay.orm import Dataset, Feature
from assay.store import in_transaction, on_commit, on_rollback, reading, transaction

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


def test_nested_transactions_join_the_outer_one_and_see_its_rows():
    with pytest.raises(RuntimeError, match="late"), transaction():
        dataset = Dataset.Tabular.from_df(pd.DataFrame({"a": [1.0, 2.0]}))
        # A call that opens its own transaction and reads inside the outer one sees the row.
        feature = Feature.from_dataset(dataset.id)
        assert Feature.get_by_id(feature.id).dataset_id == dataset.id
        raise RuntimeError("late")
    assert count(Dataset) == 0 and count(Feature) == 0


def test_an_inner_commit_is_not_final_until_the_outer_block_ends():
    with transaction():
        Dataset.Tabular.from_df(pd.DataFrame({"a": [1.0]}))
        assert in_transaction()
    assert not in_transaction()
    assert count(Dataset) == 1


def test_rollback_runs_the_clean_ups_registered_in_it_and_commit_forgets_them(tmp_path):
    leftover, kept = tmp_path / "leftover", tmp_path / "kept"
    for path in (leftover, kept):
        path.write_text("x")
    with pytest.raises(RuntimeError), transaction():
        on_rollback(leftover.unlink)
        on_rollback(lambda: (_ for _ in ()).throw(OSError("a clean-up that fails")))
        raise RuntimeError("boom")
    assert not leftover.exists()
    with transaction():
        on_rollback(kept.unlink)
    assert kept.exists()
    on_rollback(kept.unlink)  # outside a transaction there is nothing to undo
    assert kept.exists()


def test_on_commit_runs_after_the_outermost_commit_and_never_on_rollback():
    ran = []
    with pytest.warns(UserWarning, match="a clean-up that fails"), transaction():
        with transaction():
            on_commit(lambda: ran.append("inner"))
        assert ran == []  # the inner block's end is no commit
        on_commit(lambda: ran.append("outer"))
        on_commit(lambda: (_ for _ in ()).throw(OSError("a clean-up that fails")))
        on_commit(lambda: ran.append("after the failure"))
    assert ran == ["inner", "outer", "after the failure"]
    with pytest.raises(RuntimeError, match="rolled back"), transaction():
        on_commit(lambda: ran.append("rolled back"))
        raise RuntimeError("rolled back")
    assert "rolled back" not in ran
    on_commit(lambda: ran.append("now"))  # outside a transaction there is nothing to wait for
    assert ran[-1] == "now"
