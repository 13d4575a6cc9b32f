"""A configuration and a dataset become assay's rows: the programmatic API of the commands.

``prepare`` reads the data, computes each feature's metadata and writes, in one
transaction, what ``assay.mlops`` writes for any experiment: the Dataset, a Feature per
input column with its coders, the Label with its coder, the Splitset, the Algorithm (library
``pytorch``, its ``fn_build`` building the model from the configuration), the Queue (with
hyperopt's Search when asked). Running the Queue trains and predicts every split as for any
other; the experiment is then in the metastore like any other.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from assay.declarative.config import load_config, registries
from assay.errors import InvalidArgument


@dataclass
class Source:
    """A dataset as read for its metadata: the table, its folder, what mlops registers."""

    frame: pd.DataFrame
    root: Path
    dataset: Any


def read_source(dataset: str | Path | int | pd.DataFrame) -> Source:
    """Read a CSV/TSV/Parquet path, a registered Dataset id, or a DataFrame.

    Raises:
        InvalidArgument: A file that does not exist or cannot be read, or an unknown id.
    """
    from assay.errors import NotFound

    if isinstance(dataset, pd.DataFrame):
        return Source(dataset, Path.cwd(), dataset)
    if isinstance(dataset, int) or (isinstance(dataset, str) and dataset.isdigit()):
        from assay.orm import Dataset

        try:
            row = Dataset.get_by_id(int(dataset))
        except NotFound as exc:
            raise InvalidArgument(f"dataset: {exc}") from exc
        if row.typ != "tabular":
            raise InvalidArgument(f"dataset: Dataset {row.id} is {row.typ}; a table is needed.")
        return Source(row.to_df(), Path.cwd(), row)
    from assay.data.tabular import read_file

    path = Path(dataset)
    try:
        frame, _ = read_file(path)
    except NotFound as exc:
        raise InvalidArgument(f"dataset: no such file {str(path)!r}.") from exc
    except InvalidArgument as exc:
        raise InvalidArgument(f"dataset {str(path)!r}: {exc}") from exc
    return Source(frame, path.resolve().parent, str(path.resolve()))


def feature_metas(config: dict[str, Any], frame: pd.DataFrame, root: Path) -> dict[str, dict]:
    """Each feature's metadata by name (``get_feature_meta`` over the whole column).

    Raises:
        InvalidArgument: A feature whose column is missing, or whose values its type rejects
            (naming the feature and where it is in the configuration).
    """
    types = registries()["type"]
    metas = {}
    for section in ("input_features", "output_features"):
        for at, feature in enumerate(config[section]):
            where = f"{section}[{at}] ({feature['name']!r}, {feature['type']})"
            if feature["name"] not in frame.columns:
                raise InvalidArgument(
                    f"{where}: the dataset has no column {feature['name']!r}; its columns are "
                    f"{[str(c) for c in frame.columns]}."
                )
            feature_type = types[feature["type"]](**feature["preprocessing"])
            try:
                metas[feature["name"]] = feature_type.get_feature_meta(frame[feature["name"]], root)
            except InvalidArgument as exc:
                raise InvalidArgument(f"{where}: {exc}") from exc
    return metas


def prepare(
    config: dict[str, Any] | str | Path,
    dataset: str | Path | int | pd.DataFrame,
    search: bool = False,
    name: str | None = None,
) -> Any:
    """Write the rows of an experiment and return its Queue, ready to ``run_jobs()``.

    Args:
        config: A configuration (dict, YAML text or file); checked before anything is written.
        dataset: A CSV/TSV/Parquet file, a registered tabular Dataset's id, or a DataFrame.
        search: Run the hyperopt section's search (it must have one) rather than one model.
        name: The Queue's name (None: the output feature's).

    Raises:
        InvalidArgument: A bad configuration or dataset; nothing is written then.
    """
    from assay.declarative.overrides import sampler_and_options, search_of
    from assay.declarative.training import algorithm_functions
    from assay.mlops import Architecture, Experiment, Input, Pipeline, Stratifier, Target, Trainer
    from assay.store import transaction

    config = load_config(config)
    if search and config["hyperopt"] is None:
        raise InvalidArgument("config: hyperopt is missing; add a hyperopt section to search.")
    source = read_source(dataset)
    metas = feature_metas(config, source.frame, source.root)
    types = registries()["type"]
    inputs = []
    for feature in config["input_features"]:
        feature_type = types[feature["type"]](**feature["preprocessing"])
        coders = feature_type.coders(metas[feature["name"]])
        inputs.append(Input(source.dataset, include_columns=[feature["name"]], encoders=coders))
    output = config["output_features"][0]
    output_type = types[output["type"]](**output["preprocessing"])
    label_coder = output_type.label_coder(metas[output["name"]])
    splits = config["splits"]
    numeric = output_type.analysis_type == "regression"
    stratifier = Stratifier(
        size_test=splits["test_size"],
        size_validation=splits["validation_size"],
        fold_count=splits["folds"],
        bin_count=splits["bin_count"] if numeric and splits["stratify"] else None,
    )
    functions = algorithm_functions(config, metas)
    executor, options = ("serial", {})
    if search:
        executor, options = sampler_and_options(config["hyperopt"]["executor"], "hyperopt.executor")
    description = "declarative: " + ", ".join(f["name"] for f in config["input_features"])
    with transaction():  # the data side and the model side land together, or not at all
        splitset = Pipeline(
            inputs, Target(source.dataset, column=output["name"], encoder=label_coder), stratifier
        )
        return Experiment(
            Architecture(
                "pytorch",
                output_type.analysis_type,
                functions["fn_build"],
                functions["fn_train"],
                fn_optimize=functions["fn_optimize"],
                fn_lose=functions["fn_lose"],
                search=search_of(config) if search else None,
            ),
            Trainer(splitset, permute_count=0, executor=executor, executor_options=options),
            name=name or output["name"],
            description=f"{description} -> {output['name']}",
        )


def configuration_of(predictor: Any) -> tuple[dict[str, Any], dict[str, dict]] | None:
    """The configuration and feature metadata a Predictor was trained from, or None.

    None for a Predictor not made from a configuration. The configuration is the base one;
    the Predictor's own hyperparameters (``get_hyperparameters``) say what a search changed.
    """
    fn_build = predictor.job.queue.algorithm.functions()["fn_build"]
    config = getattr(fn_build, "config", None)
    return None if config is None else (config, fn_build.metas)
