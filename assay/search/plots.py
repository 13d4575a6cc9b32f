"""Figures of a search (Plotly): optimization history, parallel coordinates, parameter importance.

Pure functions of the trials (anything with ``number``, ``status``, ``score`` and
``parameters``, e.g. ``queue.trials()``); nothing here opens a session.

Parameter importance is fANOVA (Hutter, Hoos and Leyton-Brown, 2014) as Optuna implements it,
computed on an in-memory study holding the complete trials: it splits the variance of the
score into each parameter's share through a random forest's marginals, so it reads log scales
and categories through their distributions, and is not biased towards parameters with many
distinct values as a forest's impurity importance is. Optuna is the ``search`` extra that TPE
needs already.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from assay.errors import InvalidArgument, require
from assay.evaluate.plots import TEMPLATE
from assay.search.samplers.parameters import Parameter, parse_parameters
from assay.search.samplers.study import _distribution, _to_optuna, quiet_optuna

if TYPE_CHECKING:
    import pandas as pd

    from assay.orm.search import Trial


def trials_frame(trials: Sequence[Trial]) -> pd.DataFrame:
    """One row per trial: ``number``, ``status``, ``score``, then one column per parameter."""
    import pandas as pd

    names = list(dict.fromkeys(name for trial in trials for name in trial.parameters))
    rows = [
        {"number": t.number, "status": t.status, "score": t.score}
        | {name: t.parameters.get(name) for name in names}
        for t in trials
    ]
    return pd.DataFrame(rows, columns=["number", "status", "score", *names])


def complete(trials: Sequence[Trial]) -> list[Trial]:
    """The trials with a score, by number."""
    return sorted((t for t in trials if t.score is not None), key=lambda t: t.number)


def history_figure(trials: Sequence[Trial], goal: str, metric: str) -> Any:
    """Each complete trial's score by trial number, and the best score so far as a step line.

    Raises:
        InvalidArgument: No trial has a score yet.
    """
    import plotly.graph_objects as go

    scored = _scored(trials, "the optimization history")
    numbers = [t.number for t in scored]
    scores = [t.score for t in scored]
    best, running = [], None
    for score in scores:
        better = running is None or (score < running if goal == "minimize" else score > running)
        running = score if better else running
        best.append(running)
    figure = go.Figure(
        [
            go.Scatter(x=numbers, y=scores, mode="markers", name=metric),
            go.Scatter(x=numbers, y=best, mode="lines", line_shape="hv", name="best so far"),
        ]
    )
    failed = len([t for t in trials if t.score is None and t.status == "failed"])
    note = f" ({failed} failed trial(s) not shown)" if failed else ""
    figure.update_layout(
        template=TEMPLATE,
        title=f"Optimization history: {metric} ({goal}){note}",
        xaxis_title="trial",
        yaxis_title=metric,
    )
    return figure


def parallel_figure(
    trials: Sequence[Trial], parameters: dict[str, dict[str, Any]], metric: str
) -> Any:
    """One axis per parameter and one for the score; a line per complete trial, coloured by score.

    A log-scale parameter is drawn as its log10; a category's axis has one tick per value.

    Raises:
        InvalidArgument: No trial has a score yet.
    """
    import plotly.graph_objects as go

    scored = _scored(trials, "parallel coordinates")
    dimensions = [
        _dimension(parameter, [t.parameters[name] for t in scored])
        for name, parameter in parse_parameters(parameters).items()
    ]
    scores = [t.score for t in scored]
    dimensions.append({"label": metric, "values": scores})
    figure = go.Figure(
        go.Parcoords(
            line={"color": scores, "colorscale": "Viridis", "showscale": True},
            dimensions=dimensions,
        )
    )
    figure.update_layout(template=TEMPLATE, title=f"Parallel coordinates: {metric}")
    return figure


def parameter_importance(
    trials: Sequence[Trial], parameters: dict[str, dict[str, Any]], goal: str, seed: int = 0
) -> dict[str, float]:
    """Each parameter's fANOVA importance over the complete trials, summing to 1, largest first.

    Args:
        trials: The search's trials; those with a score are used.
        parameters: The search's parameter specs.
        goal: The search's goal (the study's direction).
        seed: Seeds fANOVA's random forest, so that the same trials give the same answer.

    Raises:
        InvalidArgument: Fewer than 2 complete trials.
        MissingDependency: Optuna is not installed.
    """
    optuna = require("optuna", extra="search", caller="parameter importance")
    scored = _scored(trials, "parameter importance", at_least=2)
    space = parse_parameters(parameters)
    distributions = {name: _distribution(optuna, p) for name, p in space.items()}
    with quiet_optuna(optuna):
        study = optuna.create_study(direction=goal)
        for trial in scored:
            study.add_trial(
                optuna.trial.create_trial(
                    value=trial.score,
                    params={n: _to_optuna(p, trial.parameters[n]) for n, p in space.items()},
                    distributions=distributions,
                )
            )
        evaluator = optuna.importance.FanovaImportanceEvaluator(seed=seed)
        found = optuna.importance.get_param_importances(study, evaluator=evaluator)
    return {name: float(value) for name, value in found.items()}


def importance_figure(importance: dict[str, float]) -> Any:
    """A horizontal bar per parameter, the most important on top."""
    import plotly.graph_objects as go

    names = list(importance)[::-1]
    figure = go.Figure(go.Bar(x=[importance[name] for name in names], y=names, orientation="h"))
    figure.update_layout(
        template=TEMPLATE,
        title="Parameter importance (fANOVA)",
        xaxis_title="share of the score's variance",
    )
    return figure


def _scored(trials: Sequence[Trial], what: str, at_least: int = 1) -> list[Trial]:
    """The complete trials, or an error saying how many ``what`` needs."""
    scored = complete(trials)
    if len(scored) < at_least:
        raise InvalidArgument(
            f"{what} needs at least {at_least} trial(s) with a score; the search has "
            f"{len(scored)}. run_jobs() runs it."
        )
    return scored


def _dimension(parameter: Parameter, values: list[Any]) -> dict[str, Any]:
    """A Parcoords axis of one parameter's values."""
    if parameter.type == "category":
        return {
            "label": parameter.name,
            "values": [parameter.index(value) for value in values],
            "tickvals": list(range(len(parameter.values))),
            "ticktext": [str(value) for value in parameter.values],
        }
    if parameter.scale == "log":
        return {
            "label": f"log10({parameter.name})",
            "values": [math.log10(value) for value in values],
        }
    return {"label": parameter.name, "values": list(values)}
