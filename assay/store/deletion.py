"""What ``delete()`` removes, in which order, and the files it removes once that is committed.

Rows hang from one another by foreign keys, most of them ON DELETE CASCADE, and by links the
schema cannot declare: the Splitsets of a Feature (``splitset.feature_ids``, mirrored by
``splitset_feature``), the Predictor of an inference Splitset (``splitset.predictor_id``, no
foreign key), and the preprocessing rows of a Feature or Label, which every Splitset of it
was cached and trained with. ``plan`` follows all of these from one row to every row that
would go; ``delete_row`` removes them explicitly, children first, rather than leaving it to
the database's cascades (which SQLite enforces only with ``PRAGMA foreign_keys=ON``), so that
it can count them, refuse, and find the files they point to.

The rule for refusing. A row's *parts* describe it and go with it without asking: a Feature's
or Label's preprocessing rows (interpolaters, coders, Window, shaper), a Splitset's Folds, a
Hyperparamset's combinations, a Queue's Jobs and Runs with their epoch history, a Queue's
search with its trials and the Hyperparamset holding their combinations, a Predictor's
Predictions of its own training samples. Rows *built on* it are further work: a Dataset's
Features and Labels, the Splitsets of a Feature, Label or preprocessing row, the Queues and
Predictions of a Splitset, the Hyperparamsets and Queues of an Algorithm, a Queue's
Predictors, a Predictor's inference Splitsets. ``delete()`` removes the row and its parts;
when anything is built on them it raises ``StillNeeded``, counting the rows of each table that
would go, and deletes nothing, unless ``cascade=True``. So deleting a leaf (a Prediction, a
Feature in no Splitset, a Queue not yet run) needs no flag; a Dataset with models trained on
it does.

Rows that stay are kept consistent: a Predictor deleted alone sends its Run back to
``queued`` (so ``run_jobs`` trains it again) and its Queue's ``runs_completed`` down; a
preprocessing row deleted alone renumbers its siblings and forgets the Feature's (or Label's)
fitted coders. Files go after the outermost transaction commits (``on_commit``), never before,
so a rollback leaves them in place: the samples cache folder of each deleted Splitset, and
each artifact file of a deleted Dataset that no remaining Dataset row references.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import MetaData, Table, select, update
from sqlalchemy.orm import Session

from assay.errors import InvalidArgument, NotFound, StillNeeded
from assay.store import cache, on_commit, transaction
from assay.store.artifacts import remove_artifact
from assay.store.engine import engine
from assay.store.session import lock_table

#: Foreign keys whose rows are parts of the row they point to: ``(table, column)``.
PARTS = {
    ("featureinterpolater", "feature_id"),
    ("featurecoder", "feature_id"),
    ("window", "feature_id"),
    ("featureshaper", "feature_id"),
    ("labelinterpolater", "label_id"),
    ("labelcoder", "label_id"),
    ("splitset_feature", "feature_id"),
    ("splitset_feature", "splitset_id"),
    ("fold", "splitset_id"),
    ("hyperparamcombo", "hyperparamset_id"),
    ("job", "queue_id"),
    ("job", "fold_id"),
    ("job", "hyperparamcombo_id"),
    ("run", "queue_id"),
    ("run", "job_id"),
    ("epochmetrics", "run_id"),
    ("queuesearch", "queue_id"),
    ("trial", "search_id"),
    ("trial", "hyperparamcombo_id"),
}
#: Preprocessing rows: the column naming what they preprocess.
FEATURE_STEPS = ("featureinterpolater", "featurecoder", "window", "featureshaper")
LABEL_STEPS = ("labelinterpolater", "labelcoder")
#: Steps numbered by ``idx`` among the siblings of one Feature.
NUMBERED_STEPS = ("featureinterpolater", "featurecoder")
#: How many ids go into one ``IN (...)``; SQLite limits the parameters of a statement.
CHUNK = 500


@dataclass(frozen=True)
class Edge:
    """From rows of ``parent`` to the rows of ``child`` that go with them."""

    parent: str
    child: str
    part: bool
    find: Callable[[Session, list[int]], Iterable[int]]


@dataclass(frozen=True)
class Plan:
    """Every row a delete removes, by table, and which of them are parts of the named row."""

    rows: dict[str, set[int]]
    parts: dict[str, set[int]]

    def built_on(self) -> dict[str, set[int]]:
        """The rows that are not parts: what makes a delete without ``cascade`` refuse."""
        found = {table: ids - self.parts.get(table, set()) for table, ids in self.rows.items()}
        return {table: ids for table, ids in found.items() if ids}

    def counts(self) -> dict[str, int]:
        """How many rows of each table go, by class name, parents first."""
        return counts_of(self.rows)


def delete_row(row: Any, cascade: bool = False) -> dict[str, int]:
    """Delete a row and its parts (and with ``cascade``, every row built on them) at once.

    Args:
        row: A row of any table, e.g. a Dataset.
        cascade: Also delete the rows built on it; without it, their presence is an error.

    Returns:
        How many rows of each table were deleted, by class name, e.g. ``{"Dataset": 1}``.

    Raises:
        InvalidArgument: When ``cascade`` is not a bool.
        NotFound: When the row no longer exists.
        StillNeeded: When rows are built on it and ``cascade`` is False; nothing is deleted.
    """
    if not isinstance(cascade, bool):
        raise InvalidArgument(f"cascade must be True or False; got {cascade!r}.")
    table = row.__table__.name
    with transaction() as db:
        if db.get_bind().dialect.name == "postgresql":
            lock_table(db, "splitset")  # no new Splitset of a Feature or Predictor meanwhile
        if db.get(type(row), row.id) is None:
            raise NotFound(f"{type(row).__name__} with id {row.id} does not exist.")
        found = plan(db, table, row.id)
        built_on = found.built_on()
        if built_on and not cascade:
            raise StillNeeded(refusal(class_names()[table], row.id, found, built_on))
        caches = column_values(db, "splitset", "cache_path", found.rows.get("splitset", set()))
        artifacts = column_values(db, "dataset", "artifact", found.rows.get("dataset", set()))
        keep_consistent(db, found.rows)
        remove_rows(db, found.rows)
        for path in caches:
            on_commit(functools.partial(cache.clear, Path(path)))
        if artifacts:
            on_commit(functools.partial(remove_unreferenced_artifacts, sorted(artifacts)))
    return found.counts()


# -- finding what goes ---------------------------------------------------------------------


def plan(db: Session, table: str, id: int) -> Plan:
    """The rows that deleting row ``id`` of ``table`` removes: its parts, then the rest.

    Args:
        db: The delete's session; nothing is written through it here.
        table: The row's table name, e.g. ``'dataset'`` (the base table of a polymorphic
            class).
        id: The row's id.
    """
    parts = closure(db, {table: {id}}, parts_only=True)
    return Plan(rows=closure(db, parts, parts_only=False), parts=parts)


def closure(db: Session, start: dict[str, set[int]], parts_only: bool) -> dict[str, set[int]]:
    """``start`` and every row reachable from it along the edges (part edges only, if so).

    Args:
        db: The session the edges query through, in chunks of ``CHUNK`` ids.
        start: Row ids by table name to begin from; they are in the result too.
        parts_only: Follow only the part edges (``PARTS``), finding what goes without
            asking; False follows every edge, finding what is built on it too.

    Returns:
        Row ids by table name, tables without rows left out.
    """
    found = {table: set(ids) for table, ids in start.items()}
    pending = [(table, sorted(ids)) for table, ids in start.items() if ids]
    by_parent: dict[str, list[Edge]] = {}
    for edge in edges():
        if edge.part or not parts_only:
            by_parent.setdefault(edge.parent, []).append(edge)
    while pending:
        table, ids = pending.pop()
        for edge in by_parent.get(table, []):
            reached = set()
            for chunk in chunks(ids):
                reached.update(edge.find(db, chunk))
            new = reached - found.setdefault(edge.child, set())
            if new:
                found[edge.child] |= new
                pending.append((edge.child, sorted(new)))
    return {table: ids for table, ids in found.items() if ids}


@functools.cache
def edges() -> tuple[Edge, ...]:
    """Every way one row goes with another: the foreign keys, and the links without one."""
    found = []
    for child in tables().values():
        for key in child.foreign_keys:
            if key.ondelete == "SET NULL":
                continue  # the row stays, without the link (see ``keep_consistent``)
            parent, column = key.column.table.name, key.parent.name
            if (child.name, column) == ("prediction", "predictor_id"):
                found.extend(prediction_edges())
                continue
            found.append(
                Edge(parent, child.name, (child.name, column) in PARTS, rows_where(child, column))
            )
    found.append(Edge("feature", "splitset", False, splitsets_of_features))
    for step in FEATURE_STEPS:
        found.append(Edge(step, "splitset", False, splitsets_of_step(step, "feature_id")))
    for step in LABEL_STEPS:
        found.append(Edge(step, "splitset", False, splitsets_of_step(step, "label_id")))
    found.append(
        Edge("predictor", "splitset", False, rows_where(tables()["splitset"], "predictor_id"))
    )
    found.append(Edge("queuesearch", "hyperparamset", True, hyperparamsets_of_searches))
    return tuple(found)


def rows_where(table: Table, column: str) -> Callable[[Session, list[int]], Iterable[int]]:
    """Finds the ids of ``table``'s rows whose ``column`` is one of some ids."""

    def find(db: Session, ids: list[int]) -> Iterable[int]:
        return db.scalars(select(table.c.id).where(table.c[column].in_(ids)))

    return find


def prediction_edges() -> list[Edge]:
    """A Predictor's Predictions of its training samples are parts; of inference ones, not."""
    prediction, splitset = tables()["prediction"], tables()["splitset"]

    def finder(training: bool) -> Callable[[Session, list[int]], Iterable[int]]:
        def find(db: Session, ids: list[int]) -> Iterable[int]:
            inference = splitset.c.predictor_id.is_not(None)
            statement = (
                select(prediction.c.id)
                .join(splitset, splitset.c.id == prediction.c.splitset_id)
                .where(prediction.c.predictor_id.in_(ids), ~inference if training else inference)
            )
            return db.scalars(statement)

        return find

    return [
        Edge("predictor", "prediction", True, finder(training=True)),
        Edge("predictor", "prediction", False, finder(training=False)),
    ]


def hyperparamsets_of_searches(db: Session, ids: list[int]) -> Iterable[int]:
    """The Hyperparamsets that hold the trials' combinations of some searches (their Queue's)."""
    search, queue = tables()["queuesearch"], tables()["queue"]
    statement = (
        select(queue.c.hyperparamset_id)
        .join(search, search.c.queue_id == queue.c.id)
        .where(search.c.id.in_(ids), queue.c.hyperparamset_id.is_not(None))
    )
    return db.scalars(statement)


def splitsets_of_features(db: Session, ids: list[int]) -> Iterable[int]:
    """The Splitsets that use some Features."""
    link = tables()["splitset_feature"]
    return db.scalars(select(link.c.splitset_id).where(link.c.feature_id.in_(ids)))


def splitsets_of_step(step: str, column: str) -> Callable[[Session, list[int]], Iterable[int]]:
    """Finds the Splitsets of the Features (or Labels) that some preprocessing rows belong to."""
    table, splitset, link = tables()[step], tables()["splitset"], tables()["splitset_feature"]

    def find(db: Session, ids: list[int]) -> Iterable[int]:
        owners = select(table.c[column]).where(table.c.id.in_(ids))
        if column == "label_id":
            return db.scalars(select(splitset.c.id).where(splitset.c.label_id.in_(owners)))
        return db.scalars(select(link.c.splitset_id).where(link.c.feature_id.in_(owners)))

    return find


# -- removing it ---------------------------------------------------------------------------


def keep_consistent(db: Session, rows: dict[str, set[int]]) -> None:
    """Update the rows that stay so that none points at, or counts, a row about to go."""
    requeue_runs(db, rows)
    for child in tables().values():
        for key in child.foreign_keys:
            doomed = rows.get(key.column.table.name)
            if key.ondelete == "SET NULL" and doomed:
                column = child.c[key.parent.name]
                for chunk in chunks(sorted(doomed)):
                    db.execute(update(child).where(column.in_(chunk)).values({column.name: None}))
    renumber_steps(db, rows)


def requeue_runs(db: Session, rows: dict[str, set[int]]) -> None:
    """Send the succeeded Runs of deleted Predictors back to ``queued``, where the Run stays."""
    predictor, run, queue = tables()["predictor"], tables()["run"], tables()["queue"]
    gone = sorted(rows.get("predictor", set()))
    kept_runs = []
    for chunk in chunks(gone):
        statement = (
            select(run.c.id, run.c.queue_id)
            .join(
                predictor,
                (predictor.c.job_id == run.c.job_id)
                & (predictor.c.repeat_index == run.c.repeat_index),
            )
            .where(predictor.c.id.in_(chunk), run.c.status == "succeeded")
        )
        kept_runs.extend(r for r in db.execute(statement) if r.id not in rows.get("run", set()))
    cleared = dict.fromkeys(("message", "traceback", "time_started", "time_ended", "host", "pid"))
    per_queue: dict[int, int] = {}
    for run_id, queue_id in kept_runs:
        db.execute(update(run).where(run.c.id == run_id).values(status="queued", **cleared))
        per_queue[queue_id] = per_queue.get(queue_id, 0) + 1
    for queue_id, count in per_queue.items():
        completed = queue.c.runs_completed - count
        db.execute(update(queue).where(queue.c.id == queue_id).values(runs_completed=completed))


def renumber_steps(db: Session, rows: dict[str, set[int]]) -> None:
    """Number the preprocessing rows that stay 0, 1, ... again.

    Coders fitted with the rows now gone live on the Splitsets and Folds that fitted them,
    which are deleted with them (see ``splitsets_of_step``).
    """
    for owner, column, steps in (
        ("feature", "feature_id", FEATURE_STEPS),
        ("label", "label_id", LABEL_STEPS),
    ):
        owners: set[int] = set()
        for step in steps:
            table = tables()[step]
            for chunk in chunks(sorted(rows.get(step, set()))):
                owners.update(db.scalars(select(table.c[column]).where(table.c.id.in_(chunk))))
        owners -= rows.get(owner, set())
        if not owners:
            continue
        for step in set(steps) & set(NUMBERED_STEPS):
            table = tables()[step]
            gone = rows.get(step, set())
            for owner_id in owners:
                statement = (
                    select(table.c.id).where(table.c[column] == owner_id).order_by(table.c.idx)
                )
                kept = [id for id in db.scalars(statement) if id not in gone]
                for idx, id in enumerate(kept):
                    db.execute(update(table).where(table.c.id == id).values(idx=idx))


def remove_rows(db: Session, rows: dict[str, set[int]]) -> None:
    """Delete the rows, children before parents, so that no foreign key ever dangles."""
    for table in reversed(metadata().sorted_tables):
        for chunk in chunks(sorted(rows.get(table.name, set()))):
            db.execute(table.delete().where(table.c.id.in_(chunk)))
    db.expire_all()  # rows this session holds may be gone


def column_values(db: Session, table: str, column: str, ids: set[int]) -> set[str]:
    """The non-null values of one column over some rows.

    Args:
        db: The session to read through.
        table: The table name, e.g. ``'splitset'``.
        column: A str column of it, e.g. ``'cache_path'``.
        ids: The rows' ids; an empty set reads nothing.
    """
    found: set[str] = set()
    owner = tables()[table]
    for chunk in chunks(sorted(ids)):
        statement = select(owner.c[column]).where(
            owner.c.id.in_(chunk), owner.c[column].is_not(None)
        )
        found.update(db.scalars(statement))
    return found


def remove_unreferenced_artifacts(names: list[str]) -> None:
    """Delete the artifact files that no Dataset row references any longer.

    Identical payloads share one file, so a file goes only when the last row that names it
    has. The check and the removal hold the metastore's write lock, so that no registration
    commits a row naming the file in between.
    """
    dataset = tables()["dataset"]
    with engine().execution_options(assay_write=True).begin() as connection:
        for name in names:
            statement = select(dataset.c.id).where(dataset.c.artifact == name).limit(1)
            if connection.scalar(statement) is None:
                remove_artifact(name)


# -- helpers -------------------------------------------------------------------------------


def metadata() -> MetaData:
    """The metadata of every table (imported late: assay.orm imports this module).

    Importing ``assay.orm.base`` runs ``assay/orm/__init__.py``, which registers every table.
    """
    from assay.orm.base import Base

    return Base.metadata


def tables() -> dict[str, Table]:
    """Every table of the metastore, by name."""
    return dict(metadata().tables)


def class_names() -> dict[str, str]:
    """The class of each table's rows, by table name (the base class of a polymorphic one)."""
    from assay.orm.base import Base

    return {
        mapper.local_table.name: mapper.class_.__name__
        for mapper in Base.registry.mappers
        if mapper.inherits is None
    }


def counts_of(rows: dict[str, set[int]]) -> dict[str, int]:
    """How many rows of each table, by class name, parents first."""
    names = class_names()
    return {
        names.get(table.name, table.name): len(rows[table.name])
        for table in metadata().sorted_tables
        if rows.get(table.name)
    }


def describe(counts: dict[str, int]) -> str:
    """``'2 Feature, 1 Label'``."""
    return ", ".join(f"{count} {name}" for name, count in counts.items())


def refusal(name: str, id: int, found: Plan, built_on: dict[str, set[int]]) -> str:
    """The message of a delete that would reach rows built on the one named.

    It names the rows built on it, leaving out parts of those (Folds, Jobs, Runs, links),
    which the total that ``cascade=True`` would delete counts.

    Args:
        name: The class of the row asked to be deleted, e.g. ``'Dataset'``.
        id: Its id.
        found: Every row the delete would remove (see ``plan``).
        built_on: The rows of ``found`` that are not its parts, by table name.
    """
    part_tables = {table for table, _ in PARTS}
    shown = {table: ids for table, ids in built_on.items() if table not in part_tables}
    return (
        f"{name} {id} is still needed: {describe(counts_of(shown or built_on))} built on it. "
        f"Pass cascade=True to delete them too ({describe(found.counts())} in all), or "
        "delete them first. Nothing was deleted."
    )


def chunks(ids: list[int]) -> Iterable[list[int]]:
    """``ids`` in lists short enough for one ``IN (...)``."""
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]
