"""``predictor.register(name)``: a trained Predictor as a new version, everything filled in.

The version gets the Job's hyperparameters; a config a deployment reads (library, analysis
type, feature and class names, preprocessing); the Datasets of its Features and Label as
records, with their sha256; the metrics of its Prediction per split as its performance; and
one file per format, each written by its format's ``export``. Every file is exported (and
checked by its format) before anything is written, then the model (created if missing) and
the version are written in one transaction.
"""

from __future__ import annotations

import math
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from assay.errors import InvalidArgument
from assay.registry.checks import clean_name, clean_tags, clean_text
from assay.registry.formats import get_format
from assay.registry.lineage import feature_steps, label_steps
from assay.store import transaction
from assay.store.session import lock_table

if TYPE_CHECKING:
    from assay.orm.predictor import Predictor
    from assay.registry.tables import ModelVersion

#: The formats ``register`` writes when none are named.
DEFAULT_FORMATS = ("pkl",)


def register_predictor(
    predictor: Predictor,
    name: str,
    formats: list[str] | tuple[str, ...] | None = None,
    description: str | None = None,
    tags: str | list[str] | None = None,
    context: str = "default",
) -> ModelVersion:
    """Register a Predictor as the next version of the model ``name`` (created if missing).

    Args:
        predictor: A trained Predictor.
        name: The model's name in ``context``.
        formats: Format ids to export it in (default ``["pkl"]``).
        description: The version's markdown description.
        tags: The version's tags.
        context: The model's context.

    Raises:
        InvalidArgument: A bad argument, a format unknown or that cannot be made from this
            Predictor, or a refused export; nothing is written.
    """
    clean_name(name)
    clean_name(context, "context")
    description, tags = clean_text(description, "description"), clean_tags(tags)
    exporters = [get_format(format_id) for format_id in check_ids(formats)]
    for model_format in exporters:
        if not model_format.can_export(predictor):
            raise InvalidArgument(
                f"format {model_format.id!r} cannot be exported from a {predictor.library} "
                f"Predictor; export it yourself and upload it with add_format."
            )
    settings = version_settings(predictor)
    with tempfile.TemporaryDirectory(prefix="assay-register-") as folder:
        files: dict[str, Any] = {}
        for model_format in exporters:
            path = Path(folder) / f"model{model_format.suffix}"
            model_format.export(predictor, path)
            files[model_format.id] = path
        return create_next_version(
            name,
            context,
            description=description,
            tags=tags,
            formats=files,
            predictor_id=predictor.id,
            **settings,
        )


def create_next_version(name: str, context: str, **fields: Any) -> ModelVersion:
    """The next version of the model ``name`` in ``context`` (created if missing): one write.

    Args:
        name: The model's name (checked).
        context: The model's context (checked).
        **fields: The version's fields, as ``create_version`` takes them.
    """
    from assay.registry.catalog import create_model
    from assay.registry.tables import RegisteredModel
    from assay.registry.versions import create_version

    clean_name(name)
    clean_name(context, "context")
    with transaction() as db:
        lock_table(db, f"registeredmodel:{context}")  # no one else creates it meanwhile
        statement = select(RegisteredModel).where(
            RegisteredModel.context == context, RegisteredModel.name == name
        )
        model = db.scalar(statement) or create_model(name, context)
        return create_version(model.id, **fields)


def check_ids(formats: Any) -> list[str]:
    """Format ids as a list of distinct str."""
    if formats is None:
        return list(DEFAULT_FORMATS)
    if isinstance(formats, str) or not isinstance(formats, list | tuple):
        raise InvalidArgument(
            f"formats must be a list of format ids, e.g. ['pkl', 'onnx']; got {formats!r}."
        )
    if len(set(formats)) != len(formats):
        raise InvalidArgument(f"formats must not repeat an id; got {formats!r}.")
    return list(formats)


def version_settings(predictor: Predictor) -> dict[str, Any]:
    """Hyperparameters, config, records and performance of a Predictor's version."""
    job = predictor.job
    splitset = job.queue.splitset
    features = splitset.features
    label = splitset.label
    datasets = [feature.dataset_id for feature in features]
    if label is not None:
        datasets.append(label.dataset_id)
    return {
        "hyperparameters": jsonable(job.hyperparameters()),
        "config": {
            "library": predictor.library,
            "analysis_type": job.queue.algorithm.analysis_type,
            "feature_names": jsonable(predictor.ordered_feature_names),
            "class_names": jsonable(predictor.ordered_class_names),
            "preprocessing": {
                "features": [
                    {"feature_id": f.id, "columns": f.columns, "steps": feature_steps(f)}
                    for f in features
                ],
                "label": None
                if label is None
                else {"label_id": label.id, "columns": label.columns, "steps": label_steps(label)},
            },
        },
        "records": list(dict.fromkeys(datasets)),
        "performance": performance(predictor, splitset.id),
    }


def performance(predictor: Predictor, splitset_id: int) -> dict[str, Any] | None:
    """The metrics per split of the Prediction on the Splitset the Predictor trained on."""
    for prediction in predictor.predictions:
        if prediction.splitset_id == splitset_id and prediction.metrics is not None:
            return jsonable(prediction.metrics)
    return None


def jsonable(value: Any) -> Any:
    """A value as JSON holds it: NumPy scalars and arrays as plain values, NaN as None."""
    if isinstance(value, dict):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(item) for item in value]
    if hasattr(value, "tolist"):  # NumPy scalars and arrays
        return jsonable(value.tolist())
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
