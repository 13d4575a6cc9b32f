"""One small valid file of each format, made in Python, and a way to write bytes to a file."""

from __future__ import annotations

import gzip
import pickle
import struct
from pathlib import Path

PMML = b"""<?xml version="1.0" encoding="UTF-8"?>
<PMML xmlns="http://www.dmg.org/PMML-4_4" version="4.4">
  <Header description="a constant"/>
  <DataDictionary numberOfFields="1">
    <DataField name="y" optype="continuous" dataType="double"/>
  </DataDictionary>
  <RegressionModel functionName="regression">
    <MiningSchema><MiningField name="y" usageType="target"/></MiningSchema>
    <RegressionTable intercept="4.2"/>
  </RegressionModel>
</PMML>
"""


def rdata(version: int = 3, first_type: int = 254, magic: bytes | None = None) -> bytes:
    """What R's ``save()`` writes (XDR, uncompressed) for no objects; first object's type."""
    header = (magic or f"RDX{version}\n".encode()) + b"X\n"
    header += struct.pack(">iii", version, 0x040202, 0x030500 if version == 3 else 0x020300)
    if version == 3:
        header += struct.pack(">i", 5) + b"UTF-8"
    return header + struct.pack(">i", first_type)


def onnx_model() -> bytes:
    """A one-node ONNX graph: y = x + 1."""
    import numpy as np
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    one = numpy_helper.from_array(np.ones((1, 2), dtype=np.float32), name="one")
    graph = helper.make_graph(
        [helper.make_node("Add", ["x", "one"], ["y"])],
        "plus_one",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [None, 2])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [None, 2])],
        initializer=[one],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model.SerializeToString()


def valid_files() -> dict[str, bytes]:
    """A valid file of each format, by format id."""
    return {
        "pkl": pickle.dumps({"weights": [0.5, 1.5]}),
        "onnx": onnx_model(),
        "pmml": PMML,
        "rda": gzip.compress(rdata()),
    }


def write(folder: Path, name: str, data: bytes) -> Path:
    path = Path(folder) / name
    path.write_bytes(data)
    return path
