"""The high-level API: declare the data side (Pipeline) and the training side (Experiment).

Small declarative objects hold settings; one call builds the ORM rows and returns them, so a
user can go down a level at any time::

    splitset = Pipeline(
        Input(frame, encoders=Input.Encoder(StandardScaler())),
        Target(frame, column="target", encoder=OneHotEncoder()),
        Stratifier(size_test=0.2, fold_count=3),
    )
    queue = Experiment(Architecture("pytorch", "classification_multi", fn_build, fn_train,
                                    hyperparameters={"neurons": [12, 24]}),
                       Trainer(splitset, repeat_count=2))
    queue.run_jobs()

``dataset`` may be a registered Dataset (or its id), a DataFrame, an ndarray, a file path
(.csv, .tsv, .parquet, .npy) or a folder of images: anything else is registered for you.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from assay.errors import InvalidArgument
from assay.store import transaction

__all__ = [
    "Architecture",
    "Experiment",
    "Inference",
    "Input",
    "Pipeline",
    "Stratifier",
    "Target",
    "Trainer",
]


# -- declarations -----------------------------------------------------------------------


@dataclass
class _Interpolater:
    """Interpolate floating columns (``FeatureInterpolater`` / ``LabelInterpolater``)."""

    process_separately: bool = True
    interpolate_kwargs: dict | None = None
    dtypes: Any = None
    columns: Any = None
    verbose: bool = False


@dataclass
class _Encoder:
    """Encode columns with a scikit-learn preprocessor (``FeatureCoder``)."""

    sklearn_preprocess: Any
    include: bool = True
    dtypes: Any = None
    columns: Any = None
    verbose: bool = False


@dataclass
class _Imputer(_Encoder):
    """Fill gaps with what the training samples teach (``SimpleImputer``, ``KNNImputer``...).

    The way for rows of independent samples: each is filled on its own, before the encoders.
    """

    def __post_init__(self) -> None:
        from assay.preprocess.impute import as_imputer

        self.sklearn_preprocess = as_imputer(self.sklearn_preprocess)


@dataclass
class _Window:
    """Cut a time series into windows (``Window``)."""

    size_window: int
    size_shift: int
    record_shifted: bool = True


@dataclass
class Input:
    """One Feature: a dataset, the columns to use, and how to preprocess them."""

    dataset: Any
    exclude_columns: list[str] | None = None
    include_columns: list[str] | None = None
    interpolaters: Any = None
    window: _Window | None = None
    encoders: Any = None
    reshape_indices: tuple | None = None
    imputers: Any = None

    Interpolater = _Interpolater
    Imputer = _Imputer
    Encoder = _Encoder
    Window = _Window


@dataclass
class Target:
    """The Label: a Tabular dataset, its column(s), and optionally an interpolater and encoder."""

    dataset: Any
    column: str | list[str] | None = None
    interpolater: _Interpolater | None = None
    encoder: Any = None

    Interpolater = _Interpolater


@dataclass
class Stratifier:
    """How samples are split: test and validation sizes, folds, bins for continuous values."""

    size_test: float | None = None
    size_validation: float | None = None
    fold_count: int | None = None
    bin_count: int | None = None
    unsupervised_stratify_col: str | None = None


@dataclass
class Architecture:
    """The model side: a library, the kind of analysis, the functions and hyperparameters.

    ``hyperparameters`` is a grid of values (a Hyperparamset); ``search`` instead chooses
    each trial's hyperparameters as the Queue runs (``assay.search.Search``: a sampler such
    as TPE, the parameter ranges, the metric and split to score on, n_trials). Not both.
    """

    library: str
    analysis_type: str
    fn_build: Callable
    fn_train: Callable
    fn_optimize: Callable | None = None
    fn_lose: Callable | None = None
    fn_predict: Callable | None = None
    hyperparameters: dict[str, list] | None = None
    search: Any = None


@dataclass
class Trainer:
    """How to train: on which Pipeline (a Splitset), how many repeats, which search.

    With ``refit=True`` (a Pipeline with folds), once every fold is trained ``run_jobs``
    trains the combination with the best mean score over the folds once more on all the
    training samples, as scikit-learn's ``GridSearchCV`` does, and ``best_predictor()``
    returns that model (see ``Queue.refit_best``).

    ``executor`` (a name in ``assay.search.executor_registry``, an Executor class or
    instance) and ``executor_options`` (e.g. ``{"max_workers": 2}``) say where the Queue's
    ``run_jobs()`` trains, unless that call names an executor itself.
    """

    pipeline: Any
    repeat_count: int = 1
    permute_count: int = 3
    search_count: int | None = None
    search_percent: float | None = None
    refit: bool = False
    executor: Any = "serial"
    executor_options: dict[str, Any] | None = None


# -- registering whatever a user hands us -----------------------------------------------


@dataclass
class _Registry:
    """Registers each in-memory object or path once, even when an Input and Target share it."""

    seen: dict[int, Any] = field(default_factory=dict)

    def dataset(self, value: Any, argument: str) -> Any:
        from assay.orm import Dataset

        if isinstance(value, Dataset):
            return value
        if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
            return Dataset.get_by_id(int(value))
        key = id(value) if not isinstance(value, (str, Path)) else hash(str(Path(value).resolve()))
        if key not in self.seen:
            self.seen[key] = (register(value, argument), value)
        return self.seen[key][0]


def register(value: Any, argument: str = "dataset") -> Any:
    """Register a DataFrame, an ndarray, a file or an image folder as the right Dataset kind."""
    from assay.orm import Dataset

    if isinstance(value, pd.DataFrame):
        return Dataset.Tabular.from_df(value)
    if isinstance(value, np.ndarray):
        if value.ndim == 2:
            return Dataset.Tabular.from_df(pd.DataFrame(value))
        if value.ndim == 3:
            return Dataset.Sequence.from_numpy(value)
        if value.ndim == 4:
            return Dataset.Image.from_numpy(value)
        raise InvalidArgument(f"{argument}: an ndarray must be 2D, 3D or 4D; got {value.ndim}D.")
    if isinstance(value, (str, Path)):
        path = Path(value)
        if path.is_dir():
            return Dataset.Image.from_folder(str(path))
        if path.suffix.lower() == ".npy":
            ndim = np.load(path, mmap_mode="r", allow_pickle=False).ndim
            kind = {3: Dataset.Sequence, 4: Dataset.Image}.get(ndim)
            if kind is None:
                return Dataset.Tabular.from_df(pd.DataFrame(np.load(path, allow_pickle=False)))
            return kind.from_numpy(str(path))
        return Dataset.Tabular.from_path(str(path))
    raise InvalidArgument(
        f"{argument} must be a Dataset, a Dataset id, a DataFrame, an ndarray, a file path or an "
        f"image folder; got {type(value).__name__}."
    )


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


# -- the data side ----------------------------------------------------------------------


def Pipeline(
    inputs: Input | list[Input],
    target: Target | None = None,
    stratifier: Stratifier | None = None,
    name: str | None = None,
    description: str | None = None,
) -> Any:
    """Build the Features, Label, their preprocessing and the Splitset; returns the Splitset.

    Args:
        inputs: One Input per Feature (several for multi-modal data), in the order the model
            receives them.
        target: The Label to predict; None for unsupervised analysis.
        stratifier: Split sizes, folds and bins; None means ``Stratifier()`` (all samples
            in the train split, no folds).
        name: Versions pipelines: a new Splitset with this name gets the next version.
        description: What is unique about this pipeline.

    Raises:
        InvalidArgument: Anything the low-level calls reject; nothing is written then (the
            whole call is one transaction).
    """
    inputs = _as_list(inputs)
    if not inputs or not all(isinstance(item, Input) for item in inputs):
        raise InvalidArgument("inputs must be an Input or a list of Inputs.")
    if target is not None and not isinstance(target, Target):
        raise InvalidArgument(f"target must be a Target or None; got {type(target).__name__}.")
    stratifier = stratifier or Stratifier()
    if not isinstance(stratifier, Stratifier):
        raise InvalidArgument(f"stratifier must be a Stratifier; got {type(stratifier).__name__}.")
    with transaction():  # one call, one transaction: a failure leaves nothing behind
        return _build_pipeline(inputs, target, stratifier, name, description)


def _build_pipeline(
    inputs: list[Input],
    target: Target | None,
    stratifier: Stratifier,
    name: str | None,
    description: str | None,
) -> Any:
    """Pipeline's writes, in the caller's transaction."""
    from assay.orm import (
        Feature,
        FeatureCoder,
        FeatureInterpolater,
        FeatureShaper,
        Label,
        LabelCoder,
        LabelInterpolater,
        Splitset,
        Window,
    )

    registry = _Registry()
    label = None
    target_dataset = None
    if target is not None:
        target_dataset = registry.dataset(target.dataset, "target.dataset")
        columns = None if target.column is None else _as_list(target.column)
        label = Label.from_dataset(target_dataset.id, columns=columns)
        if target.interpolater is not None:
            LabelInterpolater.from_label(
                label.id,
                process_separately=target.interpolater.process_separately,
                interpolate_kwargs=target.interpolater.interpolate_kwargs,
            )
        if target.encoder is not None:
            LabelCoder.from_label(label.id, target.encoder)
    feature_ids = []
    for at, item in enumerate(inputs):
        dataset = registry.dataset(item.dataset, f"inputs[{at}].dataset")
        exclude = item.exclude_columns
        if label is not None and dataset.id == target_dataset.id and item.include_columns is None:
            exclude = sorted(
                set(exclude or []) | set(label.columns), key=list(dataset.columns).index
            )
        feature = Feature.from_dataset(
            dataset.id, include_columns=item.include_columns, exclude_columns=exclude
        )
        for interpolater in _as_list(item.interpolaters):
            FeatureInterpolater.from_feature(
                feature.id,
                process_separately=interpolater.process_separately,
                interpolate_kwargs=interpolater.interpolate_kwargs,
                dtypes=interpolater.dtypes,
                columns=interpolater.columns,
                verbose=interpolater.verbose,
            )
        # Imputers first, so that the encoders are tried on filled values.
        imputers = [x if isinstance(x, _Imputer) else _Imputer(x) for x in _as_list(item.imputers)]
        for encoder in imputers + _as_list(item.encoders):
            if not isinstance(encoder, _Encoder):
                encoder = _Encoder(encoder)
            FeatureCoder.from_feature(
                feature.id,
                encoder.sklearn_preprocess,
                include=encoder.include,
                dtypes=encoder.dtypes,
                columns=encoder.columns,
                verbose=encoder.verbose,
            )
        if item.window is not None:
            Window.from_feature(
                feature.id,
                size_window=item.window.size_window,
                size_shift=item.window.size_shift,
                record_shifted=item.window.record_shifted,
            )
        if item.reshape_indices is not None:
            FeatureShaper.from_feature(feature.id, item.reshape_indices)
        feature_ids.append(feature.id)
    return Splitset.make(
        feature_ids,
        None if label is None else label.id,
        size_test=stratifier.size_test,
        size_validation=stratifier.size_validation,
        bin_count=stratifier.bin_count,
        fold_count=stratifier.fold_count,
        unsupervised_stratify_col=stratifier.unsupervised_stratify_col,
        name=name,
        description=description,
    )


# -- the training side ------------------------------------------------------------------


def Experiment(
    architecture: Architecture,
    trainer: Trainer,
    name: str | None = None,
    description: str | None = None,
) -> Any:
    """Make the Algorithm, its Hyperparamset and the Queue; returns the Queue to run.

    Args:
        architecture: The library, analysis type, model functions and hyperparameter grid.
        trainer: The Pipeline (Splitset or its id) to train on, repeats, permutations,
            search size, refit and executor.
        name: A short name for the Queue.
        description: What is unique about this experiment.

    Raises:
        InvalidArgument: Anything the low-level calls reject; nothing is written then.
    """
    from assay.orm import Splitset

    if not isinstance(architecture, Architecture):
        raise InvalidArgument(
            f"architecture must be an Architecture; got {type(architecture).__name__}."
        )
    if not isinstance(trainer, Trainer):
        raise InvalidArgument(f"trainer must be a Trainer; got {type(trainer).__name__}.")
    pipeline = trainer.pipeline
    splitset = Splitset.get_by_id(pipeline) if isinstance(pipeline, int) else pipeline
    if not isinstance(splitset, Splitset):
        raise InvalidArgument(
            f"trainer.pipeline must be what Pipeline() returned (a Splitset) or its id; got "
            f"{type(pipeline).__name__}."
        )
    from assay.train.hyperparams import expand_grid

    # Validate the search and the executor before anything is written.
    check_search_choice(architecture, trainer)
    expand_grid(
        architecture.hyperparameters,
        search_count=trainer.search_count,
        search_percent=trainer.search_percent,
    )
    executor = _check_executor(trainer)
    with transaction():  # an Algorithm is never left behind without its Queue
        queue = _build_experiment(architecture, trainer, splitset, name, description)
    queue.default_executor = executor
    return queue


def _check_executor(trainer: Trainer) -> tuple[Any, dict[str, Any]]:
    """The Trainer's executor and options, once ``get_executor`` accepts them."""
    from assay.search.executors import executor_for

    options = trainer.executor_options or {}
    if not isinstance(options, dict):
        raise InvalidArgument(
            "trainer.executor_options must be a dict of the executor's options; got "
            f"{type(options).__name__}."
        )
    with executor_for(trainer.executor, **options):  # built to check, nothing started
        pass
    return trainer.executor, dict(options)


def check_search_choice(architecture: Architecture, trainer: Trainer) -> None:
    """Raise unless the hyperparameters come from a grid or a search, not both.

    Raises:
        InvalidArgument: ``architecture.search`` is not a Search, or comes with
            ``architecture.hyperparameters`` or ``trainer.search_count``/``search_percent``.
    """
    from assay.search.spec import Search

    search = architecture.search
    if search is None:
        return
    if not isinstance(search, Search):
        raise InvalidArgument(
            f"architecture.search must be an assay.search.Search; got {type(search).__name__}."
        )
    if architecture.hyperparameters:
        raise InvalidArgument(
            "architecture.hyperparameters (a grid) and architecture.search both choose the "
            "hyperparameters; pass one (a grid search is Search('grid', ...))."
        )
    if trainer.search_count is not None or trainer.search_percent is not None:
        raise InvalidArgument(
            "trainer.search_count and search_percent draw from a hyperparameters grid; with "
            "architecture.search, give the number of trials as Search(n_trials=...)."
        )


def _build_experiment(
    architecture: Architecture,
    trainer: Trainer,
    splitset: Any,
    name: str | None,
    description: str | None,
) -> Any:
    """Experiment's writes, in the caller's transaction."""
    from assay.orm import Algorithm, Hyperparamset, Queue

    algorithm = Algorithm.make(
        architecture.library,
        architecture.analysis_type,
        architecture.fn_build,
        architecture.fn_train,
        fn_predict=architecture.fn_predict,
        fn_lose=architecture.fn_lose,
        fn_optimize=architecture.fn_optimize,
    )
    hyperparamset = None
    if architecture.hyperparameters:
        hyperparamset = Hyperparamset.from_algorithm(
            algorithm.id,
            architecture.hyperparameters,
            search_count=trainer.search_count,
            search_percent=trainer.search_percent,
        )
    return Queue.from_algorithm(
        algorithm.id,
        splitset.id,
        repeat_count=trainer.repeat_count,
        permute_count=trainer.permute_count,
        hyperparamset_id=None if hyperparamset is None else hyperparamset.id,
        description=description,
        name=name,
        refit=trainer.refit,
        search=architecture.search,
    )


# -- inference --------------------------------------------------------------------------


def Inference(
    predictor: Any,
    input_datasets: Any,
    target_dataset: Any = None,
    record_shifted: bool = False,
) -> Any:
    """Predict new data with a Predictor's own preprocessing; returns the Prediction.

    Args:
        predictor: A Predictor or its id.
        input_datasets: For a Predictor of one Feature, one dataset: a DataFrame, a dict of
            columns, a list of records (dicts of column: value), or any form ``Pipeline``
            accepts. For several Features, a list of one dataset per Feature, in order. The
            columns the Predictor was trained on are drawn from each (see
            ``assay.serve.as_inputs``).
        target_dataset: New targets, to compute metrics; optional. Any form of one dataset
            above.
        record_shifted: For windowed data, whether the new series' futures are known.

    Raises:
        InvalidArgument: Inputs that are not one dataset per Feature, that lack some of the
            columns the Predictor was trained on (named), or whose gaps its preprocessing
            cannot fill; nothing is written then.
    """
    from assay.orm import Predictor

    predictor = Predictor.get_by_id(predictor) if isinstance(predictor, int) else predictor
    with transaction():  # the new rows and the Prediction land together, or not at all
        return _infer(predictor, input_datasets, target_dataset, record_shifted)


def _infer(predictor: Any, input_datasets: Any, target_dataset: Any, record_shifted: bool) -> Any:
    """Inference's writes, in the caller's transaction."""
    from assay.orm import Feature, Label, Splitset, Window
    from assay.serve import as_inputs, is_record

    trained = predictor.fit_splitset()
    datasets = as_inputs(input_datasets, len(trained.feature_ids), "input_datasets")
    if isinstance(target_dataset, dict) or (
        isinstance(target_dataset, list) and target_dataset and all(map(is_record, target_dataset))
    ):
        target_dataset = as_inputs(target_dataset, 1, "target_dataset")[0]
    registry = _Registry()
    feature_ids = []
    for at, (value, old) in enumerate(zip(datasets, trained.features, strict=True)):
        dataset = registry.dataset(value, f"input_datasets[{at}]")
        missing = [column for column in old.columns if column not in dataset.columns]
        if missing:
            raise InvalidArgument(
                f"input_datasets[{at}] lacks the columns {missing} that Predictor "
                f"{predictor.id} was trained on."
            )
        feature = Feature.from_dataset(dataset.id, include_columns=list(old.columns))
        window = old.window
        if window is not None:
            Window.from_feature(
                feature.id, window.size_window, window.size_shift, record_shifted=record_shifted
            )
        feature_ids.append(feature.id)
    label_id = None
    if target_dataset is not None:
        if trained.label is None:
            raise InvalidArgument(
                f"target_dataset: Predictor {predictor.id} was trained without a Label."
            )
        dataset = registry.dataset(target_dataset, "target_dataset")
        label_id = Label.from_dataset(dataset.id, columns=list(trained.label.columns)).id
    splitset = Splitset.make(feature_ids, label_id, predictor_id=predictor.id)
    return splitset.infer()
