"""A trained model as ONNX, one converter per library, and the outputs its export must match.

Each converter takes the model and its preprocessed rows and returns the ONNX model and the
model's own outputs on those rows that the ONNX model's output (``compared_output``) must
reproduce: class probabilities for classifiers (the labels where there are none), values
for regressors, the network's outputs for PyTorch and Keras. ONNX inputs are float32, one
per Feature, batch dimension free. Libraries are imported only by their converter.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from assay.errors import InvalidArgument, MissingDependency, require
from assay.registry.formats.parity import PROBABILITIES, estimator_outputs

if TYPE_CHECKING:
    from assay.registry.formats.parity import ParityRows


@dataclass(frozen=True)
class Converted:
    """An exported model and what its outputs must match.

    Attributes:
        model: The ONNX ``ModelProto``.
        expected: The original model's outputs on the parity rows.
        compared_output: The ONNX output compared with ``expected``.
    """

    model: Any
    expected: np.ndarray
    compared_output: str


def convert(rows: ParityRows) -> Converted:
    """The Predictor's model as ONNX, with the outputs its parity check compares.

    Raises:
        InvalidArgument: A library without an ONNX converter, or a model its converter
            refuses (the converter's message is kept).
        MissingDependency: The converter's library is not installed.
    """
    converter = converter_for(rows.library)
    try:
        return converter(rows)
    except (InvalidArgument, MissingDependency):
        raise
    except Exception as exc:
        raise InvalidArgument(
            f"format 'onnx': the {rows.library} model {type(rows.model).__name__} could not "
            f"be converted: {type(exc).__name__}: {exc}"
        ) from exc


def converter_for(library: str) -> Callable[[ParityRows], Converted]:
    """The ONNX converter of a model library.

    Raises:
        InvalidArgument: A library without one, listing those assay converts.
    """
    if library not in CONVERTERS:
        raise InvalidArgument(
            f"format 'onnx' cannot be exported from a {library} model; assay converts "
            f"{', '.join(sorted(CONVERTERS))} models."
        )
    return CONVERTERS[library]


def _sklearn(rows: ParityRows) -> Converted:
    skl2onnx = require("skl2onnx", extra="registry", caller="exporting ONNX from scikit-learn")
    table = rows.single_table("onnx")
    expected, output = estimator_outputs(rows.model, table)
    options = {"zipmap": False} if output == PROBABILITIES else None
    proto = skl2onnx.to_onnx(rows.model, table[:1].astype(np.float32), options=options)
    return Converted(proto, expected, output)


def _xgboost(rows: ParityRows) -> Converted:
    require("onnxmltools", extra="registry", caller="exporting ONNX from XGBoost")
    from onnxmltools.convert import convert_xgboost
    from onnxmltools.convert.common.data_types import FloatTensorType

    table = rows.single_table("onnx")
    expected, output = estimator_outputs(rows.model, table)
    proto = convert_xgboost(
        rows.model, initial_types=[("input", FloatTensorType([None, table.shape[1]]))]
    )
    return Converted(proto, expected, output)


def _pytorch(rows: ParityRows) -> Converted:
    torch = require("torch", extra="torch", caller="exporting ONNX from PyTorch")
    require("onnxscript", extra="registry", caller="exporting ONNX from PyTorch")
    from assay.train.adapters.pytorch import batched_forward

    model = rows.model
    expected = batched_forward(model, rows.features)
    # At least two rows: an example of one would fix the batch dimension at 1.
    example = tuple(
        torch.as_tensor(np.asarray(_two_rows(array), dtype=np.float32)) for array in rows.features
    )
    batch = torch.export.Dim("batch")
    names = [f"input_{at}" for at in range(len(example))]
    model.eval()
    program = torch.onnx.export(
        model,
        example,
        dynamo=True,
        input_names=names,
        dynamic_shapes=tuple({0: batch} for _ in example),
        verbose=False,
    )
    proto = program.model_proto
    return Converted(proto, expected, proto.graph.output[0].name)


def _keras(rows: ParityRows) -> Converted:
    from assay.train.adapters.keras import import_keras

    keras = import_keras()  # chooses the backend before the model is used
    onnx = require("onnx", extra="registry", caller="exporting ONNX from Keras")
    model = rows.model
    inputs = [np.asarray(array, dtype=np.float32) for array in rows.features]
    # Predicting also calls the model once, which Keras's exporter needs.
    expected = np.asarray(model.predict(inputs[0] if len(inputs) == 1 else inputs, verbose=0))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.onnx"
        if keras.backend.backend() in KERAS_ONNX_BACKENDS:
            model.export(str(path), format="onnx", verbose=False)
        else:
            _export_keras_on_torch(model, inputs, Path(folder))
        proto = onnx.load(str(path))
    return Converted(proto, expected, proto.graph.output[0].name)


#: Keras backends whose ONNX export needs nothing beyond assay's extras (JAX's needs jax2onnx).
KERAS_ONNX_BACKENDS = ("torch", "tensorflow")

_KERAS_EXPORT = """
import sys
from pathlib import Path

import numpy as np

from assay.train.adapters import get_adapter

folder = Path(sys.argv[1])
model = get_adapter("keras").load((folder / "model.keras").read_bytes())
inputs = [np.load(path) for path in sorted(folder.glob("input_*.npy"))]
model.predict(inputs[0] if len(inputs) == 1 else inputs, verbose=0)
model.export(str(folder / "model.onnx"), format="onnx", verbose=False)
"""


def _export_keras_on_torch(model: Any, inputs: list[np.ndarray], folder: Path) -> None:
    """Write ``folder/model.onnx`` from a fresh process with Keras on the PyTorch backend.

    A ``.keras`` file holds no backend, so the same model loads there; the parity check then
    compares the export with this backend's own outputs.
    """
    import os
    import subprocess
    import sys

    from assay.train.adapters import get_adapter

    (folder / "model.keras").write_bytes(get_adapter("keras").save(model))
    for at, array in enumerate(inputs):
        np.save(folder / f"input_{at:03d}.npy", array)
    done = subprocess.run(
        [sys.executable, "-c", _KERAS_EXPORT, str(folder)],
        env={**os.environ, "KERAS_BACKEND": "torch"},
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise RuntimeError(f"exporting on Keras's PyTorch backend failed: {last}")


def _two_rows(array: np.ndarray) -> np.ndarray:
    return array if len(array) >= 2 else np.concatenate([array] * 2)[:2]


CONVERTERS: dict[str, Callable[[ParityRows], Converted]] = {
    "sklearn": _sklearn,
    "xgboost": _xgboost,
    "pytorch": _pytorch,
    "keras": _keras,
}
