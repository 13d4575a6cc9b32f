"""Hyperopt's dotted names: which configuration key each one sets, and setting it.

004 merges each sampled value into the base configuration, "overriding the ones in the
basic model definition they refer to". A name is ``trainer.<key>``, ``combiner.<key>``, or
``<feature name>.encoder.<key>``, ``<feature name>.decoder.<key>``, ``<feature name>.loss``.
Splits and preprocessing are fixed for a search: the samples and their coders are made once,
before the first trial, so that every trial is scored on the same samples.
"""

from __future__ import annotations

import copy
from typing import Any

from assay.errors import InvalidArgument

#: The sections a dotted name may start with (any other first part is a feature's name).
SECTIONS = ("trainer", "combiner")
FEATURE_PARTS = ("encoder", "decoder", "loss")


def _target(config: dict[str, Any], name: str) -> tuple[dict[str, Any], str, str]:
    """The dict that holds a dotted name's key, the key, and what the key is called there.

    Raises:
        InvalidArgument: A name that does not lead to a key of the configuration.
    """
    where = f"hyperopt.parameters.{name}"
    parts = name.split(".")
    features = {f["name"]: f for f in config["input_features"] + config["output_features"]}
    if parts[0] in SECTIONS and len(parts) == 2:
        holder, key = config[parts[0]], parts[1]
    elif parts[0] in features and len(parts) == 2 and parts[1] == "loss":
        holder, key = features[parts[0]], "loss"
    elif parts[0] in features and len(parts) == 3 and parts[1] in FEATURE_PARTS[:2]:
        holder = features[parts[0]].get(parts[1])
        if holder is None:
            raise InvalidArgument(f"{where}: feature {parts[0]!r} has no {parts[1]}.")
        key = parts[2]
    else:
        raise InvalidArgument(
            f"{where}: a name must be trainer.<key>, combiner.<key>, <feature>.encoder.<key>, "
            f"<feature>.decoder.<key> or <feature>.loss, with <feature> one of "
            f"{sorted(features)} (splits and preprocessing stay fixed during a search)."
        )
    if key == "type":
        raise InvalidArgument(
            f"{where}: the {parts[-2]} itself cannot be searched; search its parameters."
        )
    if key not in holder:
        raise InvalidArgument(
            f"{where}: {key!r} is not a key there; expected one of "
            f"{sorted(k for k in holder if k not in ('type', 'name', 'preprocessing'))}."
        )
    return holder, key, where


def apply_overrides(config: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """A copy of the configuration with each dotted name's value set.

    Args:
        config: A resolved configuration (``load_config``).
        overrides: ``{dotted name: value}``, e.g. a trial's hyperparameters.
    """
    merged = copy.deepcopy(config)
    for name, value in overrides.items():
        holder, key, _ = _target(merged, name)
        holder[key] = value
    return merged


def check_hyperopt(config: dict[str, Any]) -> None:
    """Check the hyperopt section against the configuration and assay's search.

    Every dotted name must lead to a key, every value the spec can give (a category's
    values, a range's ends) must be one that key takes, and the sampler, executor, metric
    and split must be known.

    Raises:
        InvalidArgument: Naming the parameter or setting.
    """
    from assay.declarative.config import resolve

    hyperopt = config["hyperopt"]
    parameters = hyperopt["parameters"]
    if not isinstance(parameters, dict) or not parameters:
        raise InvalidArgument("hyperopt.parameters: must be a non-empty mapping of specs.")
    for name, spec in parameters.items():
        _target(config, name)
        if not isinstance(spec, dict):
            raise InvalidArgument(
                f"hyperopt.parameters.{name}: must be a spec mapping; got {spec!r}."
            )
        candidates = spec.get("values") or [
            v for v in (spec.get("low"), spec.get("high")) if v is not None
        ]
        for value in candidates:
            trial = apply_overrides(config, {name: value})
            try:
                resolve({**trial, "hyperopt": None})
            except InvalidArgument as exc:
                raise InvalidArgument(
                    f"hyperopt.parameters.{name}: {value!r} is refused: {exc}"
                ) from exc
    search_of(config)
    check_metric(config)


def sampler_and_options(value: str | dict[str, Any], where: str) -> tuple[str, dict[str, Any]]:
    """A sampler or executor setting as ``(name, options)``."""
    if isinstance(value, str):
        return value, {}
    if "type" not in value or not isinstance(value["type"], str):
        raise InvalidArgument(f"{where}: a mapping needs type (a name); got {value!r}.")
    return value["type"], {k: v for k, v in value.items() if k != "type"}


def search_of(config: dict[str, Any]) -> Any:
    """The ``assay.search.Search`` the hyperopt section describes (checked by building it)."""
    from assay.search import Search, executor_registry

    hyperopt = config["hyperopt"]
    sampler, options = sampler_and_options(hyperopt["sampler"], "hyperopt.sampler")
    executor, _ = sampler_and_options(hyperopt["executor"], "hyperopt.executor")
    if executor not in executor_registry:
        raise InvalidArgument(
            f"hyperopt.executor: unknown executor {executor!r}; expected one of "
            f"{sorted(executor_registry)}."
        )
    try:
        return Search(
            sampler,
            parameters=hyperopt["parameters"],
            goal=hyperopt["goal"],
            metric=hyperopt["metric"],
            split=hyperopt["split"],
            n_trials=hyperopt["n_trials"],
            **options,
        )
    except InvalidArgument as exc:
        raise InvalidArgument(f"hyperopt: {exc}") from exc


def check_metric(config: dict[str, Any]) -> None:
    """Raise unless the hyperopt metric is one assay computes for the output."""
    from assay.declarative.config import registries
    from assay.evaluate.metrics import metric_names

    output = config["output_features"][0]
    analysis_type = registries()["type"][output["type"]].analysis_type
    known = ["loss", *metric_names(analysis_type)]
    if config["hyperopt"]["metric"] not in known:
        raise InvalidArgument(
            f"hyperopt.metric: {config['hyperopt']['metric']!r} is not computed for a "
            f"{output['type']} output; expected one of {known}."
        )
    if config["hyperopt"]["split"] == "validation" and not (
        config["splits"]["validation_size"] or config["splits"]["folds"]
    ):
        raise InvalidArgument(
            "hyperopt.split: validation needs splits.validation_size or splits.folds; or "
            "score on test."
        )
