"""The declarative commands: experiment, train, predict, evaluate, hyperopt, visualize.

Each checks what it is given before writing anything, reports assay's errors as one line
(exit code 1, no traceback), shows a progress bar while models train, and runs inside the
integrations named by ``--integration`` (repeatable). Heavy libraries load inside the
commands, so ``assay --help`` stays fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from assay.errors import InvalidArgument
from assay.integrations.cli import Names, Options
from assay.registry.cli import reporting

ConfigOption = Annotated[
    str, typer.Option("--config", "-c", help="The YAML configuration (see docs/configuration.md).")
]
DatasetOption = Annotated[
    str,
    typer.Option(
        "--dataset", "-d", help="A CSV, TSV or Parquet file, or a registered tabular Dataset id."
    ),
]
OutputOption = Annotated[
    Path | None,
    typer.Option(
        "--output-dir", "-o", help="Where to write results (default: results/<what>_<id>)."
    ),
]
ModelOption = Annotated[
    str,
    typer.Option(
        "--model", "-m", help="A Predictor id, or a registered model: NAME or NAME@VERSION."
    ),
]
FormatOption = Annotated[
    str, typer.Option("--figure-format", help="png, svg, pdf, jpg, webp or html.")
]


def _active(names: list[str] | None, options: list[str] | None) -> Any:
    """The integrations asked for, active for a block (``--integration``, ``--integration-option``)."""
    from assay.integrations.cli import switched_on

    return switched_on(names, options)


def _output(given: Path | None, what: str, number: int) -> Path:
    folder = given if given is not None else Path("results") / f"{what}_{number}"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _check_dataset(dataset: str) -> None:
    """Refuse a dataset that is neither a file nor an id, before the slower checks."""
    if not dataset.isdigit() and not Path(dataset).is_file():
        raise InvalidArgument(f"dataset: no such file {dataset!r}.")


def _load(config: str, dataset: str) -> dict[str, Any]:
    """The checked configuration, after a quick check of the dataset's name."""
    from assay.declarative.config import load_config

    _check_dataset(dataset)
    return load_config(config)


def _train(
    active: Any, command: str, resolved: dict[str, Any], dataset: str, output_dir: Path | None
) -> tuple[Any, Path]:
    """Write the rows of a checked configuration and train; returns the Queue and its folder.

    Tells the integrations that training starts, and writes the resolved configuration to the
    folder, which is ``output_dir`` or ``results/<command>_<queue id>``.

    Args:
        active: The integrations switched on for the command.
        command: The command's name; ``hyperopt`` searches the configuration's hyperopt space.
        resolved: The configuration ``load_config`` returned.
        dataset: A data file or a tabular Dataset id.
        output_dir: The folder asked for, or None for the default.
    """
    from assay.declarative.experiment import prepare
    from assay.declarative.results import check_succeeded

    active.call("train", command=command, config=resolved, dataset=dataset)
    typer.echo("Preparing the data (metadata, splits, coders)...", err=True)
    queue = prepare(resolved, dataset, search=command == "hyperopt")
    typer.echo(f"Training Queue {queue.id}...", err=True)
    queue.run_jobs(progress=True)
    check_succeeded(queue)
    folder = _output(output_dir, command, queue.id)
    _write_config(folder, resolved)
    return queue, folder


def _chosen_model(queue: Any, folder: Path) -> Any:
    """The Queue's one model; with folds, the best on the folds' held-out samples.

    Its training history goes to ``history.json``; with folds every fold's model and
    metrics go to ``models.json`` as well.
    """
    from assay.declarative.results import write_json

    predictors = queue.predictors
    if len(predictors) == 1:
        chosen = predictors[0]
    else:
        chosen = queue.best_predictor()
        write_json(
            folder / "models.json",
            {str(p.id): p.predictions[0].metrics for p in predictors},
        )
        typer.echo(f"{len(predictors)} models, one per fold; the best is Predictor {chosen.id}:")
    write_json(folder / "history.json", chosen.history)
    return chosen


def _write_config(folder: Path, config: dict[str, Any]) -> None:
    import yaml

    (folder / "config.yaml").write_text(yaml.safe_dump(config, sort_keys=False))


def _print_metrics(metrics: dict[str, dict[str, float]], analysis_type: str | None) -> None:
    from assay.declarative.results import metrics_frame

    typer.echo(metrics_frame(metrics, analysis_type).to_string(float_format=lambda v: f"{v:.4f}"))


def _figures(
    active: Any, kind_figures: list[tuple[str, Any]], folder: Path, fmt: str
) -> list[Path]:
    from assay.declarative.figures import write_figures

    paths = write_figures(kind_figures, folder, fmt)
    for (stem, figure), path in zip(kind_figures, paths, strict=True):
        active.call("visualize_figure", figure=figure, name=stem, path=str(path))
    return paths


def experiment(
    config: ConfigOption,
    dataset: DatasetOption,
    output_dir: OutputOption = None,
    integration: Names = None,
    integration_option: Options = None,
    figure_format: FormatOption = "png",
) -> None:
    """Preprocess, split, train, predict every split, and write the metrics and figures.

    Examples:
        assay experiment --config exp.yaml --dataset data.csv

        assay experiment -c exp.yaml -d data.csv -o results/first --integration tensorboard
    """
    from assay.declarative.figures import FORMATS, figures_of
    from assay.declarative.results import write_json, write_predictions

    if figure_format not in FORMATS:
        raise InvalidArgument(
            f"--figure-format must be one of {list(FORMATS)}; got {figure_format!r}."
        )
    resolved = _load(config, dataset)
    with _active(integration, integration_option) as active:
        active.call("experiment", name="experiment", config=resolved, output_directory=output_dir)
        queue, folder = _train(active, "experiment", resolved, dataset, output_dir)
        predictor = _chosen_model(queue, folder)
        prediction = predictor.predictions[0]
        analysis = queue.algorithm.analysis_type
        _print_metrics(prediction.metrics, analysis)
        write_json(folder / "metrics.json", prediction.metrics)
        write_predictions(prediction, folder)
        kinds = ["learning_curves"] + (
            [] if analysis == "regression" else ["confusion_matrix", "roc"]
        )
        drawn = [pair for kind in kinds for pair in figures_of(kind, [predictor])]
        _figures(active, drawn, folder, figure_format)
        active.call(
            "predict_end",
            predictions=prediction.to_df(list(prediction.predictions)[-1]),
            model=predictor.id,
            metrics=prediction.metrics,
        )
        active.call("experiment_save", output_directory=str(folder), results=prediction.metrics)
    typer.echo(f"Predictor {predictor.id} (Queue {queue.id}); results in {folder}")


def train(
    config: ConfigOption,
    dataset: DatasetOption,
    output_dir: OutputOption = None,
    integration: Names = None,
    integration_option: Options = None,
) -> None:
    """Train a model from a configuration; prints its Predictor id for predict and evaluate.

    Writes the resolved configuration, the training history and the model's ids.

    Examples:
        assay train --config exp.yaml --dataset data.csv

        assay train -c exp.yaml -d data.csv --integration mlflow
    """
    from assay.declarative.results import write_json

    resolved = _load(config, dataset)
    with _active(integration, integration_option) as active:
        queue, folder = _train(active, "train", resolved, dataset, output_dir)
        predictor = _chosen_model(queue, folder)
        write_json(folder / "model.json", {"predictor_id": predictor.id, "queue_id": queue.id})
        last = {key: values[-1] for key, values in (predictor.history or {}).items() if values}
        epochs = len(next(iter(predictor.history.values()), [])) if predictor.history else 0
        summary = ", ".join(f"{key} {value:.4f}" for key, value in last.items())
        typer.echo(f"Trained {epochs} epochs: {summary}")
    typer.echo(f"Predictor {predictor.id} (Queue {queue.id}); results in {folder}")


def resolve_model(model: str) -> tuple[Any, str]:
    """A Predictor from an id or a registered model's ``NAME[@VERSION]``, and how to name it.

    Raises:
        InvalidArgument: No such Predictor, model or version, or a version made from no
            Predictor.
    """
    from assay.errors import NotFound
    from assay.orm import Predictor

    try:
        if model.isdigit():
            return Predictor.get_by_id(int(model)), f"Predictor {model}"
        from assay.registry.registry import Registry

        name, _, number = model.partition("@")
        registered = Registry().model(name)
        if number and not number.isdigit():
            raise InvalidArgument(f"--model: a version is a number (NAME@3); got {model!r}.")
        version = registered.version(int(number)) if number else registered.latest()
    except NotFound as exc:
        raise InvalidArgument(f"--model {model!r}: {exc}") from exc
    if version.predictor_id is None:
        raise InvalidArgument(
            f"--model {model!r}: version {version.version} was uploaded, not trained here; it "
            "has no Predictor to predict with."
        )
    return Predictor.get_by_id(version.predictor_id), f"{name}@{version.version}"


def _infer(
    active: Any, command: str, model: str, dataset: str, output_dir: Path | None
) -> tuple[Any, Any, Path, Any]:
    """Predict a dataset with a model and write ``predictions.csv``.

    ``evaluate`` scores against the dataset's output columns as well. The integrations
    hear of the start and, with the predictions, of the end.

    Args:
        active: The integrations switched on for the command.
        command: ``predict`` or ``evaluate``.
        model: A Predictor id or a registered model's ``NAME[@VERSION]``.
        dataset: A data file or a tabular Dataset id.
        output_dir: The folder asked for, or None for ``results/<command>_<prediction id>``.

    Returns:
        The Prediction, the Predictor, the folder and the predictions' frame.
    """
    from assay.declarative.experiment import read_source
    from assay.mlops import Inference

    with_target = command == "evaluate"
    active.call("predict", command=command, model=model, dataset=dataset)
    _check_dataset(dataset)
    predictor, label = resolve_model(model)
    source = read_source(dataset)
    count = len(predictor.fit_splitset().feature_ids)
    target = None
    if with_target:
        columns = list(predictor.fit_splitset().label.columns)
        missing = [c for c in columns if c not in source.frame.columns]
        if missing:
            raise InvalidArgument(f"--dataset has no column {missing[0]!r} to evaluate against.")
        target = source.dataset
    typer.echo(f"Predicting {len(source.frame)} samples with {label}...", err=True)
    prediction = Inference(predictor, [source.dataset] * count, target_dataset=target)
    frame = prediction.to_df()
    folder = _output(output_dir, command, prediction.id)
    frame.to_csv(folder / "predictions.csv")
    metrics = prediction.metrics if with_target else None
    active.call("predict_end", predictions=frame, model=model, metrics=metrics)
    return prediction, predictor, folder, frame


def predict(
    model: ModelOption,
    dataset: DatasetOption,
    output_dir: OutputOption = None,
    integration: Names = None,
    integration_option: Options = None,
) -> None:
    """Predict new data with a trained or registered model; writes predictions.csv.

    The new samples go through the model's own fitted preprocessing; the Prediction is
    recorded in the metastore.

    Examples:
        assay predict --model 3 --dataset new.csv

        assay predict --model iris@2 --dataset new.csv -o results/new
    """
    with _active(integration, integration_option) as active:
        _, _, folder, frame = _infer(active, "predict", model, dataset, output_dir)
    typer.echo(frame.head(10).to_string())
    typer.echo(f"{len(frame)} predictions in {folder / 'predictions.csv'}")


def evaluate(
    model: ModelOption,
    dataset: DatasetOption,
    output_dir: OutputOption = None,
    integration: Names = None,
    integration_option: Options = None,
) -> None:
    """Score a model on labelled data (the dataset holds the output column); writes metrics.json.

    Examples:
        assay evaluate --model 3 --dataset labelled.csv

        assay evaluate --model iris@1 --dataset labelled.csv -o results/check
    """
    from assay.declarative.results import write_json

    with _active(integration, integration_option) as active:
        prediction, predictor, folder, _ = _infer(active, "evaluate", model, dataset, output_dir)
        write_json(folder / "metrics.json", prediction.metrics)
        active.call("test", metrics=prediction.metrics, model=model)
        _print_metrics(prediction.metrics, predictor.job.queue.algorithm.analysis_type)
    typer.echo(f"metrics in {folder / 'metrics.json'}")


def hyperopt(
    config: ConfigOption,
    dataset: DatasetOption,
    output_dir: OutputOption = None,
    integration: Names = None,
    integration_option: Options = None,
) -> None:
    """Search hyperparameters as the configuration's hyperopt section says; writes every trial.

    Examples:
        assay hyperopt --config exp.yaml --dataset data.csv

        assay hyperopt -c exp.yaml -d data.csv -o results/search --integration mlflow
    """
    from assay.declarative.results import write_json

    resolved = _load(config, dataset)
    if resolved["hyperopt"] is None:
        raise InvalidArgument(f"--config {config!r} has no hyperopt section to search with.")
    with _active(integration, integration_option) as active:
        queue, folder = _train(active, "hyperopt", resolved, dataset, output_dir)
        results = queue.search_results()
        write_json(folder / "hyperopt_statistics.json", results)
        trials = queue.trials_df()
        hyper = resolved["hyperopt"]
        trials = trials.sort_values("score", ascending=hyper["goal"] == "minimize")
        typer.echo(trials.to_string(index=False))
        best = queue.best_predictor()
        typer.echo(
            f"Best: Predictor {best.id}, {hyper['metric']} on {hyper['split']} "
            f"{trials['score'].iloc[0]:.4f} with {best.get_hyperparameters(as_pandas=False)}"
        )
    typer.echo(f"{len(results)} trials (Queue {queue.id}); results in {folder}")


def visualize(
    kind: Annotated[
        str,
        typer.Option(help="learning_curves, confusion_matrix, roc or compare_performance."),
    ],
    model: Annotated[
        list[str],
        typer.Option("--model", "-m", help="A Predictor id or NAME[@VERSION] (repeatable)."),
    ],
    output_dir: Annotated[
        Path, typer.Option("--output-dir", "-o", help="Where to write the figures.")
    ] = Path("figures"),
    metric: Annotated[
        str | None, typer.Option(help="compare_performance: the metric (default accuracy or r2).")
    ] = None,
    figure_format: FormatOption = "png",
    integration: Names = None,
    integration_option: Options = None,
) -> None:
    """Draw figures of trained models to files.

    Examples:
        assay visualize --kind learning_curves --model 3

        assay visualize --kind compare_performance --model 3 --model 4 --metric f1_weighted

        assay visualize --kind roc --model iris@1 --figure-format html -o figures/iris
    """
    from assay.declarative.figures import KINDS, figures_of

    if kind not in KINDS:
        raise InvalidArgument(f"--kind must be one of {list(KINDS)}; got {kind!r}.")
    predictors = [resolve_model(one)[0] for one in model]
    with _active(integration, integration_option) as active:
        active.call("visualize", command="visualize", kind=kind, model=model)
        paths = _figures(active, figures_of(kind, predictors, metric), output_dir, figure_format)
    for path in paths:
        typer.echo(str(path))


COMMANDS = (experiment, train, predict, evaluate, hyperopt, visualize)


def register_commands(app: typer.Typer) -> None:
    """Add the declarative commands to the ``assay`` command."""
    for command in COMMANDS:
        app.command(name=command.__name__)(reporting(command))
