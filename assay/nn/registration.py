"""A trained Model or Ensemble as a version of a registered model.

The version holds the network (or ensemble) pickled whole, as its ``pkl`` file, so that
``version.load("pkl")`` gives back an object that predicts; the ModelBuilder's settings as
hyperparameters; a config naming the objective and the features; and, as its record, the
fold file it was trained on with the sha256 of the file's bytes at registration. (Writing
predictions into a fold file changes its bytes: register before predicting into the
training file, or predict into a copy.)
"""

from __future__ import annotations

import functools
import math
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assay.errors import InvalidArgument

if TYPE_CHECKING:
    from assay.nn.ensemble import Ensemble
    from assay.nn.model import Model
    from assay.registry.tables import ModelVersion

#: The ModelBuilder attributes a version keeps as its hyperparameters, where the builder has them.
BUILDER_SETTINGS = (
    "objective",
    "n_out",
    "model_args",
    "opt_args",
    "loss",
    "head",
    "body",
    "tail",
    "cat_embedder",
    "pretrain_file",
)


class Registrable:
    """Gives Model and Ensemble their ``register`` method (over ``register_network``).

    A subclass has a ``fold_file`` (the one it was trained on, or None) and may override
    ``default_performance`` to say what a version stores when no performance is given.
    """

    fold_file: str | None

    def default_performance(self) -> Any:
        """The performance a version stores when ``register`` is given none."""
        return None

    def register(
        self,
        name: str,
        fold_file: str | Path | None = None,
        description: str | None = None,
        tags: str | list[str] | None = None,
        performance: Any = None,
        context: str = "default",
    ) -> ModelVersion:
        """Register this network as the next version of the registered model ``name``.

        The version holds it as a ``pkl`` file (``version.load("pkl")`` gives back an object
        that predicts), the ModelBuilder's settings as hyperparameters and config, and the
        fold file it was trained on, with its sha256, as its record.

        Args:
            name: The registered model's name (created if missing).
            fold_file: The fold file to record; by default the one it was last fit on.
            description: The version's markdown description.
            tags: The version's tags.
            performance: Metrics to store with the version (any JSON value); by default
                ``default_performance()``.
            context: The registry context.
        """
        if performance is None:
            performance = self.default_performance()
        return register_network(
            self,
            name,
            fold_file=fold_file or self.fold_file,
            description=description,
            tags=tags,
            performance=performance,
            context=context,
        )


def register_network(
    network: Model | Ensemble,
    name: str,
    fold_file: str | Path | None,
    description: str | None = None,
    tags: str | list[str] | None = None,
    performance: Any = None,
    context: str = "default",
) -> ModelVersion:
    """Register ``network`` as the next version of the model ``name``; see the module.

    Args:
        network: A trained Model or Ensemble.
        name: The registered model's name (created if missing).
        fold_file: The fold file it was trained on.
        description: The version's markdown description.
        tags: The version's tags.
        performance: Metrics to store with the version (any JSON value).
        context: The registry context.

    Raises:
        InvalidArgument: No fold file (or none at that path), or a bad name, tag or
            description; nothing is written.
    """
    import cloudpickle

    from assay.data.hashing import sha256_file
    from assay.nn.ensemble import Ensemble
    from assay.registry.checks import clean_name, clean_tags, clean_text
    from assay.registry.register import create_next_version, jsonable

    clean_name(name)
    clean_name(context, "context")
    description, tags = clean_text(description, "description"), clean_tags(tags)
    kind = type(network).__name__
    if fold_file is None:
        raise InvalidArgument(
            f"fold_file: this {kind} was not trained on a fold file that it knows of; pass "
            "fold_file=<the path of the fold file it was trained on>."
        )
    path = Path(fold_file)
    if not path.is_file():
        raise InvalidArgument(f"fold_file: no file at {path}.")
    models = network.models if isinstance(network, Ensemble) else [network]
    builder = models[0].model_builder
    hyperparameters = builder_settings(builder)
    if isinstance(network, Ensemble):
        hyperparameters = {**hyperparameters, "n_models": len(network)}
    config = {
        "library": "torch",
        "kind": f"assay.nn.{kind}",
        "objective": models[0].objective,
        "cont_feats": describe(getattr(builder, "cont_feats", None)),
        "n_parameters": sum(p.numel() for m in models for p in m.model.parameters()),
    }
    if isinstance(network, Ensemble):
        config["weights"] = network.weights.tolist()
    records = [{"reference": str(path.resolve()), "sha256": sha256_file(path)}]
    with tempfile.TemporaryDirectory(prefix="assay-register-") as folder:
        pickled = Path(folder) / "model.pkl"
        with open(pickled, "wb") as handle:
            cloudpickle.dump(network, handle)
        return create_next_version(
            name,
            context,
            description=description,
            tags=tags,
            hyperparameters=hyperparameters,
            config=config,
            records=records,
            formats={"pkl": pickled},
            performance=jsonable(performance),
        )


def builder_settings(builder: Any) -> dict[str, Any]:
    """The ModelBuilder's settings (``BUILDER_SETTINGS``) as JSON values."""
    return {
        key: describe(getattr(builder, key))
        for key in BUILDER_SETTINGS
        if getattr(builder, key, None) is not None
    }


def describe(value: Any) -> Any:
    """A JSON value that says what ``value`` is.

    Classes and functions by their qualified name, ``functools.partial`` as its function and
    arguments, arrays as lists, anything else by its repr.
    """
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(key): describe(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [describe(item) for item in value]
    if isinstance(value, functools.partial):
        return {
            "partial": describe(value.func),
            "args": describe(value.args),
            "keywords": describe(value.keywords),
        }
    if isinstance(value, type) or (callable(value) and hasattr(value, "__qualname__")):
        return f"{value.__module__}.{value.__qualname__}"
    if hasattr(value, "tolist"):  # NumPy scalars and arrays
        return describe(value.tolist())
    return repr(value)
