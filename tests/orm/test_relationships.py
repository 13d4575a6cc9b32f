"""Relationships: declared once with ``relationship()``, read through properties that work on
detached rows, stay fresh, and cost nothing when a service loaded them eagerly."""

import ast
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

import assay.orm
from assay.orm import Dataset, Feature, Label, Splitset
from assay.store import reading, transaction
from tests.sql_counting import count_statements


def frame() -> pd.DataFrame:
    return pd.DataFrame(
        {"a": [float(i) for i in range(12)], "b": [i % 3 * 1.5 for i in range(12)], "y": [0, 1] * 6}
    )


@pytest.mark.usefixtures("backend")
def test_a_detached_row_loads_its_relationships_with_one_statement_each():
    dataset = Dataset.Tabular.from_df(frame())
    feature = Feature.from_dataset(dataset.id, include_columns=["a"])
    row = Feature.get_by_id(feature.id)  # its session has closed: the row is detached
    with count_statements() as counted:
        assert row.dataset.id == dataset.id
    assert counted.count == 1, counted.summary()
    with count_statements() as counted:
        assert [f.id for f in dataset.features] == [feature.id]
    assert counted.count == 1, counted.summary()


@pytest.mark.usefixtures("backend")
def test_a_property_stays_fresh_and_never_caches_on_the_row():
    dataset = Dataset.Tabular.from_df(frame())
    first = Feature.from_dataset(dataset.id, include_columns=["a"])
    assert [f.id for f in dataset.features] == [first.id]
    second = Feature.from_dataset(dataset.id, include_columns=["b"])
    assert [f.id for f in dataset.features] == [first.id, second.id]


@pytest.mark.usefixtures("backend")
def test_inside_a_transaction_the_relationship_sees_rows_written_in_it():
    dataset = Dataset.Tabular.from_df(frame())
    first = Feature.from_dataset(dataset.id, include_columns=["a"])
    with transaction():
        attached = Dataset.get_by_id(dataset.id)  # a row of the open transaction
        assert [f.id for f in attached.features] == [first.id]
        second = Feature.from_dataset(dataset.id, include_columns=["b"])
        assert [f.id for f in attached.features] == [first.id, second.id]
        assert [f.id for f in dataset.features] == [first.id, second.id]  # detached twin


@pytest.mark.usefixtures("backend")
def test_an_eagerly_loaded_relationship_sends_no_statement():
    dataset = Dataset.Tabular.from_df(frame())
    feature = Feature.from_dataset(dataset.id, include_columns=["a"])
    label = Label.from_dataset(dataset.id, columns=["y"])
    splitset = Splitset.make([feature.id], label.id, size_test=0.25)
    with reading() as db:
        loaded = db.scalars(
            select(Splitset)
            .where(Splitset.id == splitset.id)
            .options(
                selectinload(Splitset.features_).joinedload(Feature.dataset_),
                joinedload(Splitset.label_),
                selectinload(Splitset.folds_),
            )
        ).one()
    with count_statements() as counted:
        assert [f.id for f in loaded.features] == [feature.id]
        assert loaded.features[0].dataset.id == dataset.id
        assert loaded.label.id == label.id
        assert loaded.folds == []
        assert loaded.predictor is None  # no id: nothing to load
    assert counted.count == 0, counted.summary()


@pytest.mark.usefixtures("backend")
def test_feature_splitsets_reads_splitset_feature_in_one_statement():
    dataset = Dataset.Tabular.from_df(frame())
    feature = Feature.from_dataset(dataset.id, include_columns=["a"])
    other = Feature.from_dataset(dataset.id, include_columns=["b"])
    label = Label.from_dataset(dataset.id, columns=["y"])
    both = Splitset.make([other.id, feature.id], label.id)
    Splitset.make([other.id], label.id)
    alone = Splitset.make([feature.id], label.id, size_test=0.25)
    with count_statements() as counted:
        assert [s.id for s in feature.splitsets] == [both.id, alone.id]
    assert counted.count == 1, counted.summary()
    assert "splitset_feature" in counted.statements[0]  # filtered in SQL, not in Python
    with count_statements() as counted:
        assert [f.id for f in both.features] == [other.id, feature.id]  # by position
    assert counted.count == 1, counted.summary()


def test_table_modules_import_each_other_without_a_circle():
    """Module-level imports between ``assay/orm`` modules form no cycle (TYPE_CHECKING aside)."""
    folder = Path(assay.orm.__file__).parent
    graph: dict[str, set[str]] = {}
    for path in folder.glob("*.py"):
        if path.stem == "__init__":
            continue
        imports = set()
        for node in ast.parse(path.read_text()).body:  # module level only
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("assay.orm."):
                imports.add(node.module.removeprefix("assay.orm."))
        graph[path.stem] = imports

    def visit(module: str, trail: tuple[str, ...]) -> None:
        assert module not in trail, " -> ".join((*trail, module))
        for imported in graph.get(module, ()):
            visit(imported, (*trail, module))

    for module in graph:
        visit(module, ())
