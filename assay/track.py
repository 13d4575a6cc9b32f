"""Tracking from training code: a run's status, its live plots and its performance figures.

``from assay import track``; inside a run's ``fn_train`` the run is the one training, from any
other process pass ``run=<run id>``. What is written reaches the metastore at once, so the
dashboard shows it while the run trains.

- ``track.status(code, message)``: the status codes of the analysis document, 5 (error),
  6 (queued) and 7 (stopped), or their names.
- ``track.update_plots(train_or_eval, plots)``: plots in the document's format, one row per
  (run, phase, plot), replaced when the plot is sent again.
- ``track.performance(values)``: any key-value pairs, merged into the run's ``performance``.
"""

from __future__ import annotations

import math
from numbers import Integral, Real
from typing import Any

from assay.errors import InvalidArgument, NotFound

#: The document's status codes, by code and by name, and the run status each one sets.
STATUS_CODES = {5: "error", 6: "queued", 7: "stopped"}
RUN_STATUS = {"error": "failed", "queued": "queued", "stopped": "stopped"}


def status(code: int | str, message: str | None = None, run: int | None = None) -> str:
    """Set a run's status (5 error, 6 queued, 7 stopped, or the names) and an optional message.

    Inside ``fn_train`` this is the training code's verdict on its run: the message shows at
    once (the run stays 'running' while the code goes on), and when ``fn_train`` returns the
    run ends with this status instead of succeeding, its model not kept. From another
    process, the run's row gets the status and message at once (a queued or stopped run is
    trained again by the next worker, a failed one when its queue is resumed).

    Args:
        code: 5, 6 or 7, or "error", "queued" or "stopped".
        message: A short text shown with the status.
        run: The run's id; by default the run training in this context.

    Returns:
        The run's status as assay names it: "failed", "queued" or "stopped".

    Raises:
        TypeError: When ``code`` is neither an int nor a str.
        InvalidArgument: For an unknown code, a message that is not a str, or no run.
        NotFound: When there is no such run.
    """
    from sqlalchemy import update

    from assay.orm.run import Run
    from assay.store import transaction
    from assay.train.live import current_run

    new_status = RUN_STATUS[_status_name(code)]
    if message is not None and not isinstance(message, str):
        raise InvalidArgument(f"message must be a str or None; got {type(message).__name__}.")
    run_id = _run_id(run)
    training = current_run()
    here = training is not None and training.run_id == run_id
    values = {"message": message} if here else {"status": new_status, "message": message}
    with transaction() as db:
        changed = db.execute(update(Run).where(Run.id == run_id).values(**values))
        if changed.rowcount != 1:
            raise NotFound(f"There is no run {run_id}.")
    if here:
        training.status, training.message = new_status, message
    return new_status


def update_plots(train_or_eval: bool, plots: dict[str, Any], run: int | None = None) -> None:
    """Store plots of a run's training (True) or evaluation (False) cycle.

    ``plots`` maps each plot's name to a dict with ``labels`` ([x label, y label]), a
    ``description`` (a str), and any other keys as lines, each a list of ``[x, y]`` points::

        {"accuracy": {"l1": [[1, 0.10], [2, 0.15]], "labels": ["epoch", "accuracy"],
                      "description": "A simple accuracy plot."}}

    A plot sent again replaces the one stored, so send each plot whole as it grows.

    Args:
        train_or_eval: True for the training cycle, False for evaluation (validation).
        plots: The plots, as above.
        run: The run's id; by default the run training in this context.

    Raises:
        InvalidArgument: When ``plots`` is not in that format (naming the plot and key),
            before anything is written.
    """
    if not isinstance(train_or_eval, bool):
        raise InvalidArgument(
            f"train_or_eval must be True (training) or False (evaluation); got {train_or_eval!r}."
        )
    checked = _check_plots(plots)
    run_id = _run_id(run)
    phase = "train" if train_or_eval else "eval"
    from sqlalchemy import select

    from assay.orm.run import Run
    from assay.orm.tracking import RunPlot
    from assay.store import transaction

    with transaction() as db:
        if db.get(Run, run_id) is None:
            raise NotFound(f"There is no run {run_id}.")
        stored = {
            row.plot: row
            for row in db.scalars(
                select(RunPlot).where(
                    RunPlot.run_id == run_id, RunPlot.phase == phase, RunPlot.plot.in_(checked)
                )
            )
        }
        for name, (labels, description, lines) in checked.items():
            row = stored.get(name)
            if row is None:
                row = RunPlot(run_id=run_id, phase=phase, plot=name)
                db.add(row)
            row.labels = labels
            row.description = description
            row.lines = lines


def performance(values: dict[str, Any], run: int | None = None) -> dict[str, Any]:
    """Keep key-value performance figures with a run; keys sent again are replaced.

    Args:
        values: Any JSON values (numbers, str, lists, dicts) by str key.
        run: The run's id; by default the run training in this context.

    Returns:
        All the run's performance figures so far.
    """
    from assay.registry.checks import clean_json_object

    if not isinstance(values, dict) or not values:
        raise InvalidArgument(
            f"values must be a non-empty dict of performance figures; got {values!r}."
        )
    clean = clean_json_object(_plain(values), "values")
    run_id = _run_id(run)
    from assay.orm.run import Run
    from assay.store import transaction

    with transaction() as db:
        row = db.get(Run, run_id, with_for_update=True)
        if row is None:
            raise NotFound(f"There is no run {run_id}.")
        merged = {**(row.performance or {}), **clean}
        row.performance = merged
    return merged


def _status_name(code: Any) -> str:
    if isinstance(code, bool) or not isinstance(code, (int, str)):
        raise TypeError(f"code must be an int (5, 6 or 7) or a str; got {type(code).__name__}.")
    if isinstance(code, int):
        if code not in STATUS_CODES:
            raise InvalidArgument(f"code must be 5 (error), 6 (queued) or 7 (stopped); got {code}.")
        return STATUS_CODES[code]
    name = code.strip().lower()
    if name not in RUN_STATUS:
        raise InvalidArgument(f"code must be 'error', 'queued' or 'stopped'; got {code!r}.")
    return name


def _run_id(run: Any) -> int:
    from assay.train.live import current_run

    if run is None:
        current = current_run()
        if current is None:
            raise InvalidArgument(
                "run is needed outside a run's fn_train: pass run=<run id> (see queue.runs)."
            )
        return current.run_id
    if isinstance(run, bool) or not isinstance(run, int):
        run = getattr(run, "id", run)
    if isinstance(run, bool) or not isinstance(run, int):
        raise InvalidArgument(f"run must be a run id (an int) or a Run; got {run!r}.")
    return run


def _check_plots(plots: Any) -> dict[str, tuple[list[str], str, dict[str, list[list[float]]]]]:
    """Each plot's labels, description and lines, or an error naming the plot and key."""
    if not isinstance(plots, dict) or not plots:
        raise InvalidArgument(f"plots must be a non-empty dict of plots by name; got {plots!r}.")
    checked = {}
    for name, plot in plots.items():
        if not isinstance(name, str) or not name or len(name) > 255:
            raise InvalidArgument(f"plots' keys must be plot names (str); got {name!r}.")
        if not isinstance(plot, dict):
            raise InvalidArgument(
                f"plots[{name!r}] must be a dict of labels, description and lines; "
                f"got {type(plot).__name__}."
            )
        missing = [key for key in ("labels", "description") if key not in plot]
        if missing:
            raise InvalidArgument(f"plots[{name!r}] has no {missing[0]!r} key.")
        labels = plot["labels"]
        if (
            not isinstance(labels, (list, tuple))
            or len(labels) != 2
            or not all(isinstance(label, str) for label in labels)
        ):
            raise InvalidArgument(
                f"plots[{name!r}]['labels'] must be [x label, y label] (two str); got {labels!r}."
            )
        description = plot["description"]
        if not isinstance(description, str):
            raise InvalidArgument(
                f"plots[{name!r}]['description'] must be a str; got {description!r}."
            )
        lines = {}
        for key, points in plot.items():
            if key in ("labels", "description"):
                continue
            lines[str(key)] = _check_points(points, f"plots[{name!r}][{key!r}]")
        checked[name] = (list(labels), description, lines)
    return checked


def _check_points(points: Any, where: str) -> list[list[float]]:
    """A line's points as [[x, y], ...] of finite numbers."""
    if not isinstance(points, (list, tuple)):
        raise InvalidArgument(f"{where} must be a list of [x, y] points; got {points!r}.")
    clean = []
    for index, point in enumerate(points):
        if not (isinstance(point, (list, tuple)) and len(point) == 2) or not all(
            _is_number(value) for value in point
        ):
            raise InvalidArgument(
                f"{where}[{index}] must be an [x, y] pair of finite numbers; got {point!r}."
            )
        clean.append([_number(point[0]), _number(point[1])])
    return clean


def _is_number(value: Any) -> bool:
    return isinstance(value, Real) and not isinstance(value, bool) and math.isfinite(float(value))


def _number(value: Real) -> float | int:
    return int(value) if isinstance(value, Integral) else float(value)


def _plain(value: Any) -> Any:
    """NumPy scalars and arrays as Python numbers and lists, so training code can pass them."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if hasattr(value, "tolist") and type(value).__module__ == "numpy":
        return value.tolist()
    return value
