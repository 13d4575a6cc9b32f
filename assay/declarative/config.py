"""Reading and checking a declarative configuration before anything runs.

``load_config`` takes a YAML file, YAML text or a dict and returns the configuration
resolved: every key checked (an unknown one is an error naming it and where it is, with the
keys expected there), every name looked up in its registry (an unknown one lists the
choices), and every default filled in. What runs later reads only the resolved dict.
"""

from __future__ import annotations

import copy
import difflib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from assay.declarative.params import Parameter, parameters_of
from assay.declarative.sections import HyperoptSection, SplitsSection, TrainerSection
from assay.errors import InvalidArgument

TOP_LEVEL = ("input_features", "output_features", "combiner", "trainer", "splits", "hyperopt")
INPUT_KEYS = ("name", "type", "encoder", "preprocessing")
OUTPUT_KEYS = ("name", "type", "decoder", "loss", "preprocessing")
#: Integer parameters that may be 0 (every other must be >= 1).
ZERO_ALLOWED = {"num_fc_layers", "seed", "fc_size"}
#: Where assay supplies the leading constructor arguments (how many to skip).
SKIP = {"encoder": 2, "decoder": 2, "combiner": 1}


def registries() -> dict[str, Any]:
    """The registries a configuration names things from (imports torch)."""
    from assay.declarative.combiners import combiner_registry
    from assay.declarative.decoders import decoder_registry
    from assay.declarative.encoders import encoder_registry
    from assay.declarative.features import feature_type_registry

    return {
        "type": feature_type_registry,
        "encoder": encoder_registry,
        "decoder": decoder_registry,
        "combiner": combiner_registry,
    }


def load_config(source: str | Path | dict[str, Any]) -> dict[str, Any]:
    """The configuration, checked and with its defaults, from a YAML file, YAML text or dict.

    Raises:
        InvalidArgument: A file that cannot be read or parsed, or a configuration that is
            wrong; the message names the key and where it is.
    """
    if isinstance(source, dict):
        return resolve(source)
    import yaml

    text = str(source)
    path = Path(text)
    if isinstance(source, Path) or (len(text) < 4096 and "\n" not in text):
        if not path.is_file():
            raise InvalidArgument(f"config: no such file {text!r}.")
        text = path.read_text()
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InvalidArgument(f"config: not valid YAML ({' '.join(str(exc).split())}).") from exc
    if not isinstance(raw, dict):
        raise InvalidArgument(f"config: must be a mapping of sections; got {type(raw).__name__}.")
    return resolve(raw)


def resolve(raw: dict[str, Any]) -> dict[str, Any]:
    """Check a configuration dict and return a copy with every default filled in.

    Raises:
        InvalidArgument: Naming the key and where it is.
    """
    if not isinstance(raw, dict):
        raise InvalidArgument(f"config: must be a mapping; got {type(raw).__name__}.")
    check_keys(raw, TOP_LEVEL, "config")
    for required in ("input_features", "output_features"):
        if required not in raw:
            raise InvalidArgument(f"config: {required} is required.")
    inputs = _feature_list(raw["input_features"], "input_features")
    outputs = _feature_list(raw["output_features"], "output_features")
    if len(outputs) != 1:
        raise InvalidArgument(
            f"output_features: exactly one output feature is supported (assay trains one "
            f"Label per model); got {len(outputs)}."
        )
    config = {
        "input_features": [
            resolve_input(f, f"input_features[{at}]") for at, f in enumerate(inputs)
        ],
        "output_features": [
            resolve_output(f, f"output_features[{at}]") for at, f in enumerate(outputs)
        ],
        "combiner": resolve_component(raw.get("combiner", "concat"), "combiner", "combiner"),
        "trainer": resolve_section(raw.get("trainer", {}), TrainerSection, "trainer"),
        "splits": resolve_section(raw.get("splits", {}), SplitsSection, "splits"),
        "hyperopt": None,
    }
    _check_names(config)
    _check_splits(config["splits"])
    if raw.get("hyperopt") is not None:
        config["hyperopt"] = resolve_section(raw["hyperopt"], HyperoptSection, "hyperopt")
        from assay.declarative.overrides import check_hyperopt

        check_hyperopt(config)
    return config


def check_keys(given: dict[str, Any], known: tuple[str, ...] | list[str], where: str) -> None:
    """Raise on the first key of ``given`` not in ``known`` (suggesting the closest)."""
    for key in given:
        if key not in known:
            close = difflib.get_close_matches(str(key), known, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise InvalidArgument(
                f"{where}.{key}: unknown key{hint}; expected one of {sorted(known)}."
            )


def _feature_list(value: Any, where: str) -> list[dict[str, Any]]:
    if not isinstance(value, list) or not value:
        raise InvalidArgument(f"{where}: must be a non-empty list of features; got {value!r}.")
    for at, feature in enumerate(value):
        if not isinstance(feature, dict):
            raise InvalidArgument(
                f"{where}[{at}]: must be a mapping with name and type; got {feature!r}."
            )
    return value


def _feature_type(feature: dict[str, Any], where: str) -> tuple[str, type]:
    for key in ("name", "type"):
        if not isinstance(feature.get(key), str) or not feature[key]:
            raise InvalidArgument(
                f"{where}.{key}: required, a non-empty str; got {feature.get(key)!r}."
            )
    found = registries()["type"]
    if feature["type"] not in found:
        raise InvalidArgument(
            f"{where}.type: unknown feature type {feature['type']!r}; expected one of "
            f"{sorted(found)}."
        )
    return feature["name"], found[feature["type"]]


def _feature_component(
    feature: dict[str, Any], where: str, part: str, default: str, fits: Callable[[Any], bool]
) -> dict[str, Any]:
    """A feature's encoder or decoder, resolved among the registered ones that fit it.

    Args:
        feature: The feature's mapping in the configuration.
        where: The feature's place, for messages.
        part: ``encoder`` or ``decoder``.
        default: The name used when the feature names none.
        fits: Whether a registered class can serve the feature.
    """
    usable = sorted(n for n, c in registries()[part].items() if fits(c))
    role = "feature" if part == "encoder" else "output"
    return resolve_component(
        feature.get(part, default), part, f"{where}.{part}", usable, f"a {feature['type']} {role}"
    )


def resolve_input(feature: dict[str, Any], where: str) -> dict[str, Any]:
    """An input feature with its encoder and preprocessing resolved."""
    check_keys(feature, INPUT_KEYS, where)
    name, cls = _feature_type(feature, where)
    if cls.kind is None:
        raise InvalidArgument(f"{where}.type: a {feature['type']} feature cannot be an input.")
    encoder = _feature_component(
        feature, where, "encoder", cls.default_encoder, lambda e: cls.kind in e.accepts
    )
    return {
        "name": name,
        "type": feature["type"],
        "encoder": encoder,
        "preprocessing": resolve_section(
            feature.get("preprocessing", {}), cls, f"{where}.preprocessing"
        ),
    }


def resolve_output(feature: dict[str, Any], where: str) -> dict[str, Any]:
    """An output feature with its decoder, loss and preprocessing resolved."""
    check_keys(feature, OUTPUT_KEYS, where)
    name, cls = _feature_type(feature, where)
    if cls.output_kind is None:
        outputs = sorted(n for n, c in registries()["type"].items() if c.output_kind)
        raise InvalidArgument(
            f"{where}.type: a {feature['type']} feature cannot be an output; expected one of "
            f"{outputs}."
        )
    decoder = _feature_component(
        feature, where, "decoder", cls.default_decoder, lambda d: cls.output_kind in d.produces
    )
    loss = feature.get("loss", cls.losses[0])
    if loss not in cls.losses:
        raise InvalidArgument(
            f"{where}.loss: {loss!r} is not a loss of a {feature['type']} output; expected one "
            f"of {list(cls.losses)}."
        )
    return {
        "name": name,
        "type": feature["type"],
        "decoder": decoder,
        "loss": loss,
        "preprocessing": resolve_section(
            feature.get("preprocessing", {}), cls, f"{where}.preprocessing"
        ),
    }


def resolve_component(
    value: Any, registry: str, where: str, usable: list[str] | None = None, context: str = ""
) -> dict[str, Any]:
    """An encoder, decoder or combiner: a name, or a mapping of ``type`` and parameters.

    Args:
        value: What the configuration gives.
        registry: ``encoder``, ``decoder`` or ``combiner``.
        where: The key's place, for messages.
        usable: The names that fit the feature (None: every registered one).
        context: The feature, in messages (``"a numerical feature"``).

    Returns:
        ``{"type": name, <every parameter>: value or default}``.
    """
    found = registries()[registry]
    usable = sorted(found) if usable is None else usable
    if isinstance(value, str):
        value = {"type": value}
    if not isinstance(value, dict):
        raise InvalidArgument(
            f"{where}: must be a {registry} name or a mapping with type; got {value!r}."
        )
    name = value.get("type")
    if name not in usable:
        what = (
            f"unknown {registry}" if name not in found else f"{registry} that {context} cannot use"
        )
        raise InvalidArgument(f"{where}.type: {name!r} is an {what}; expected one of {usable}.")
    params = {k: v for k, v in value.items() if k != "type"}
    resolved = resolve_params(params, parameters_of(found[name], skip=SKIP[registry]), where)
    return {"type": name, **resolved}


def resolve_section(value: Any, cls: type, where: str) -> dict[str, Any]:
    """A plain section (or a feature's preprocessing): its keys checked, defaults filled in."""
    if value is None:
        value = {}
    if not isinstance(value, dict):
        raise InvalidArgument(f"{where}: must be a mapping; got {value!r}.")
    return resolve_params(value, parameters_of(cls), where)


def resolve_params(given: dict[str, Any], params: list[Parameter], where: str) -> dict[str, Any]:
    """Check ``given`` against ``params`` and fill in the defaults."""
    check_keys(given, [p.name for p in params], where)
    resolved = {}
    for param in params:
        if param.name not in given:
            if param.required:
                raise InvalidArgument(f"{where}.{param.name}: required; {param.doc}")
            resolved[param.name] = copy.deepcopy(param.default)
            continue
        value = param.check(given[param.name], f"{where}.{param.name}")
        check_range(param.name, value, f"{where}.{param.name}")
        resolved[param.name] = value
    return resolved


def check_range(name: str, value: Any, where: str) -> None:
    """Numbers in their range: dropout in [0, 1), rates > 0, counts and sizes >= 1."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return
    if name == "dropout" and not 0 <= value < 1:
        raise InvalidArgument(f"{where}: must be in [0, 1); got {value!r}.")
    if name in ("learning_rate",) and value <= 0:
        raise InvalidArgument(f"{where}: must be > 0; got {value!r}.")
    if name in ("test_size", "validation_size") and not 0 < value < 1:
        raise InvalidArgument(f"{where}: must be in (0, 1), or null; got {value!r}.")
    if isinstance(value, int) and name not in ZERO_ALLOWED and value < 1:
        raise InvalidArgument(f"{where}: must be >= 1; got {value!r}.")
    if isinstance(value, int) and value < 0:
        raise InvalidArgument(f"{where}: must be >= 0; got {value!r}.")


def _check_names(config: dict[str, Any]) -> None:
    seen: dict[str, str] = {}
    for section in ("input_features", "output_features"):
        for at, feature in enumerate(config[section]):
            where = f"{section}[{at}].name"
            if feature["name"] in seen:
                raise InvalidArgument(
                    f"{where}: {feature['name']!r} is already used by {seen[feature['name']]}; "
                    "each column is one feature."
                )
            seen[feature["name"]] = where
    reserved = set(TOP_LEVEL)
    for name in seen:
        if name in reserved:
            raise InvalidArgument(
                f"a feature may not be named {name!r}: hyperopt's dotted names would be "
                "ambiguous; rename the column."
            )


def _check_splits(splits: dict[str, Any]) -> None:
    if splits["validation_size"] is not None and splits["test_size"] is None:
        raise InvalidArgument("splits.validation_size: needs splits.test_size as well.")
    if splits["folds"] is not None and splits["folds"] < 2:
        raise InvalidArgument(f"splits.folds: must be >= 2, or null; got {splits['folds']!r}.")
