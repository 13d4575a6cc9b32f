"""The ``onnx`` format: a model in the ONNX graph format, run by onnxruntime anywhere.

Exported from scikit-learn (skl2onnx), XGBoost (onnxmltools), PyTorch (torch.onnx) and
Keras models (``onnx_convert``). Every export is checked: onnxruntime runs the file on the
Splitset's test rows and its outputs must match the model's within ``parity.TOLERANCE``,
or the export is refused with the largest difference.

The ONNX model takes PREPROCESSED arrays: one float32 input per Feature, as the model saw
them after the Feature's coders, interpolaters, window and shaper (``OnnxModel.run``). The
fitted preprocessing does not travel in it; the ``pkl`` format is the one that takes raw
rows. Uploads are checked with ``onnx.checker`` and must be one self-contained file.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from assay.errors import InvalidArgument, require
from assay.registry.formats.base import ModelFormat
from assay.registry.formats.files import existing_file, written_whole

if TYPE_CHECKING:
    from assay.orm.predictor import Predictor

#: onnxruntime's input element types, as NumPy dtypes.
_INPUT_DTYPES = {
    "tensor(float)": np.float32,
    "tensor(double)": np.float64,
    "tensor(int64)": np.int64,
    "tensor(int32)": np.int32,
}


class OnnxModel:
    """An ONNX file in an onnxruntime session, fed as assay's arrays are.

    Attributes:
        session: The ``onnxruntime.InferenceSession`` (for anything ``run`` does not do).
        input_names: The graph's inputs, one per Feature, in order.
        output_names: The graph's outputs, in order.
    """

    def __init__(self, path: Path) -> None:
        ort = require("onnxruntime", extra="registry", caller="loading an onnx model")
        self.session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
        self.input_names = [node.name for node in self.session.get_inputs()]
        self.output_names = [node.name for node in self.session.get_outputs()]

    def run(self, features: Any) -> dict[str, np.ndarray]:
        """The graph's outputs, by name, for preprocessed samples.

        Args:
            features: One array of preprocessed samples, or a list of one per Feature, in
                the graph's input order; each is cast to its input's element type.

        Raises:
            InvalidArgument: Not one array per input.
        """
        arrays = list(features) if isinstance(features, (list, tuple)) else [features]
        inputs = self.session.get_inputs()
        if len(arrays) != len(inputs):
            raise InvalidArgument(
                f"features: the ONNX model takes {len(inputs)} input(s) {self.input_names}; "
                f"got {len(arrays)} array(s)."
            )
        feed = {
            node.name: np.asarray(array, dtype=_INPUT_DTYPES.get(node.type, np.float32))
            for node, array in zip(inputs, arrays, strict=True)
        }
        return dict(zip(self.output_names, self.session.run(None, feed), strict=True))

    def __repr__(self) -> str:
        return f"OnnxModel(inputs={self.input_names}, outputs={self.output_names})"


class OnnxFormat(ModelFormat):
    """ONNX graphs, checked on export against the model's own outputs."""

    id: ClassVar[str] = "onnx"
    description: ClassVar[str] = "ONNX graph run by onnxruntime; takes preprocessed float32 arrays"
    suffix: ClassVar[str] = ".onnx"

    def validate(self, path: Path) -> None:
        """Refuse a file ``onnx.checker`` rejects, or one that needs external data files.

        Raises:
            InvalidArgument: With the checker's message.
        """
        onnx = require("onnx", extra="registry", caller="validating an onnx file")
        from onnx.external_data_helper import uses_external_data

        path = existing_file(path, self.id)
        try:
            onnx.checker.check_model(str(path))
        except Exception as exc:  # the checker's ValidationError, or protobuf's DecodeError
            raise InvalidArgument(
                f"format 'onnx': {path.name!r} is not a valid ONNX model: {exc}"
            ) from None
        model = onnx.load(str(path), load_external_data=False)
        external = [t.name for t in model.graph.initializer if uses_external_data(t)]
        if external:
            raise InvalidArgument(
                f"format 'onnx': {path.name!r} keeps {len(external)} tensor(s) "
                f"({external[:3]}) in external data files, which an upload does not carry; save "
                "it as one file: onnx.save_model(model, path, save_as_external_data=False)."
            )

    def can_export(self, predictor: Predictor) -> bool:
        """scikit-learn, XGBoost, PyTorch and Keras models."""
        from assay.registry.formats.onnx_convert import CONVERTERS

        return predictor.library in CONVERTERS

    def export(self, predictor: Predictor, path: Path) -> None:
        """Convert the model, run it on the test rows, and write it if its outputs match.

        Raises:
            InvalidArgument: A library or model the converters cannot take, or outputs that
                differ from the model's by more than the tolerance (the largest named).
        """
        onnx = require("onnx", extra="registry", caller="exporting an onnx model")
        from assay.registry.formats.onnx_convert import convert, converter_for
        from assay.registry.formats.parity import check_parity, parity_rows

        converter_for(predictor.library)  # an unknown library is refused before any work
        rows = parity_rows(predictor)
        converted = convert(rows)
        with written_whole(path) as temporary:
            onnx.save_model(converted.model, str(temporary), save_as_external_data=False)
            outputs = OnnxModel(temporary).run(rows.features)
            check_parity(self.id, rows, converted.expected, outputs[converted.compared_output])

    def load(self, path: Path) -> OnnxModel:
        """An ``OnnxModel``: ``run(features)`` on preprocessed arrays gives its outputs."""
        return OnnxModel(existing_file(path, self.id))
