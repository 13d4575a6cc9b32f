"""The pkl format: pickles validated without unpickling, and PortableModels that predict raw rows."""

import io
import os
import pickle
import struct
import subprocess
import sys
import textwrap
import tracemalloc
from pathlib import Path

import cloudpickle
import numpy as np
import pandas as pd
import pytest

import assay
from assay.errors import InvalidArgument
from assay.registry.formats import get_format
from assay.registry.formats.portable import PortableModel
from tests.registry.formats.models import (
    LIBRARIES,
    MEASUREMENTS,
    SPECIES,
    new_rows,
    trained,
    trained_regression,
    trained_windowed,
)
from tests.registry.formats.samples import write

PKL = get_format("pkl")


class MakesAFolder:
    """Unpickling it calls os.mkdir: what a hostile pickle could do."""

    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (os.mkdir, (self.path,))


# -- validating uploads ---------------------------------------------------------------------


@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_pickles_of_every_protocol_are_accepted(tmp_path, protocol):
    value = {
        "text": "é" * 3,
        "bytes": b"\x00" * 300,
        "numbers": [1, 2**70, 1.5],
        "nested": (None, True),
    }
    PKL.validate(write(tmp_path, "m.pkl", pickle.dumps(value, protocol=protocol)))


def test_cloudpickled_functions_and_arrays_are_accepted(tmp_path):
    PKL.validate(write(tmp_path, "f.pkl", cloudpickle.dumps(lambda x: x + 1)))
    PKL.validate(write(tmp_path, "a.pkl", pickle.dumps(np.arange(10.0))))


def test_validating_never_runs_the_pickle_but_loading_does(tmp_path):
    marker = tmp_path / "made_by_unpickling"
    path = write(tmp_path, "hostile.pkl", pickle.dumps(MakesAFolder(str(marker))))
    PKL.validate(path)
    assert not marker.exists()
    PKL.load(path)  # documented: load executes the pickle
    assert marker.is_dir()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (pickle.dumps([1, 2, 3])[:-4], "the file ends before the pickle's STOP opcode"),
        (pickle.dumps([1, 2]) + b"more", r"4 byte\(s\) follow the STOP opcode"),
        (b"\x80\x04\xff", r"at byte 2, b'\\xff' is not a pickle opcode"),
        (
            b"\x80\x04B" + struct.pack("<I", 10**6) + b"abc.",
            "BINBYTES announces 1000000 bytes but 4 remain",
        ),
        (b"Inot a number\n.", "INT's argument is malformed"),
        (b"\x80\x04X" + struct.pack("<I", 2) + b"\xff\xfe.", "BINUNICODE is not UTF-8"),
        (b"PK\x03\x04" + b"\x00" * 40, "it looks like a zip archive"),
        (b"\x93NUMPY\x01\x00", "it looks like a NumPy .npy file"),
    ],
)
def test_broken_and_lookalike_files_are_refused(tmp_path, data, message):
    with pytest.raises(
        InvalidArgument, match=rf"format 'pkl': 'm.pkl' is not a pickle: .*{message}"
    ):
        PKL.validate(write(tmp_path, "m.pkl", data))


def test_a_torch_save_file_is_named_for_what_it_is(tmp_path):
    import torch

    buffer = io.BytesIO()
    torch.save({"w": torch.ones(3)}, buffer)
    with pytest.raises(InvalidArgument, match="zip archive"):
        PKL.validate(write(tmp_path, "m.pkl", buffer.getvalue()))


def test_long_payloads_are_skipped_not_read(tmp_path):
    path = write(tmp_path, "big.pkl", pickle.dumps(b"\x01" * (48 << 20), protocol=4))
    tracemalloc.start()
    try:
        PKL.validate(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 4 << 20  # a 48 MiB payload, never in memory


# -- PortableModel: exported Predictors predicting raw rows --------------------------------

PREDICT_IN_A_FRESH_PROCESS = textwrap.dedent(
    """
    import os, pickle, sys
    with open(sys.argv[1], "rb") as handle:
        model = pickle.load(handle)
    with open(sys.argv[2], "rb") as handle:
        rows = pickle.load(handle)
    assert "tests" not in sys.modules
    predicted = model.predict(rows)
    engines = getattr(sys.modules.get("assay.store.engine"), "_ENGINES", {})
    assert not engines, f"a metastore was opened: {engines}"
    assert not os.path.exists(os.environ["ASSAY_HOME"]), "ASSAY_HOME was written to"
    with open(sys.argv[3], "wb") as handle:
        pickle.dump((predicted, type(model).__name__), handle)
    """
)


def predict_in_a_fresh_process(tmp_path, model_path, rows):
    rows_path = tmp_path / "rows.pickle"
    rows_path.write_bytes(pickle.dumps(rows))
    out = tmp_path / "predicted.pickle"
    # Only assay is importable there: not this repository's tests, which trained the model.
    library = tmp_path / "only_assay"
    library.mkdir()
    (library / "assay").symlink_to(Path(assay.__file__).parent)
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSAY_")}
    env["ASSAY_HOME"] = str(tmp_path / "no_metastore_here")
    env["PYTHONPATH"] = str(library)
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            PREDICT_IN_A_FRESH_PROCESS,
            str(model_path),
            str(rows_path),
            str(out),
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return pickle.loads(out.read_bytes())


@pytest.mark.parametrize("library", LIBRARIES)
def test_a_pkl_predicts_raw_rows_as_the_predictor_does_in_a_process_without_metastore(
    tmp_path, library
):
    predictor = trained(library)
    rows = new_rows()
    expected = predictor.predict(rows)
    assert list(expected.columns) == ["species", *(f"p_{name}" for name in SPECIES)]
    path = tmp_path / "model.pkl"
    PKL.export(predictor, path)
    PKL.validate(path)
    predicted, kind = predict_in_a_fresh_process(tmp_path, path, rows)
    assert kind == "PortableModel"
    pd.testing.assert_frame_equal(predicted, expected, check_exact=True)
    assert set(predicted["species"]) <= set(SPECIES)


def test_a_regression_pkl_decodes_to_the_labels_scale(tmp_path):
    predictor, rows = trained_regression()
    path = tmp_path / "ridge.pkl"
    PKL.export(predictor, path)
    predicted, _ = predict_in_a_fresh_process(tmp_path, path, rows)
    pd.testing.assert_frame_equal(predicted, predictor.predict(rows), check_exact=True)
    assert list(predicted.columns) == ["target"] and predicted["target"].mean() > 50  # not scaled


def test_a_windowed_pkl_interpolates_windows_shapes_and_predicts_with_its_fn_predict(tmp_path):
    predictor, rows = trained_windowed()
    expected = predictor.predict(rows)
    futures = np.stack(expected["prediction"])
    assert futures.shape == (11, 3, 2) and 35 < futures[..., 0].mean() < 65  # series' units
    path = tmp_path / "windows.pkl"
    PKL.export(predictor, path)
    predicted, _ = predict_in_a_fresh_process(tmp_path, path, rows)
    assert predicted.index.equals(expected.index) and list(predicted.columns) == ["prediction"]
    np.testing.assert_array_equal(np.stack(predicted["prediction"]), futures)


def test_a_portable_model_refuses_what_the_predictor_refuses(tmp_path):
    predictor = trained("sklearn")
    PKL.export(predictor, tmp_path / "model.pkl")
    model = PKL.load(tmp_path / "model.pkl")
    assert isinstance(model, PortableModel)
    assert model.class_names == SPECIES and model.library == "sklearn"
    assert model.feature_columns == [[*MEASUREMENTS, "site"]]
    assert "PortableModel(" in repr(model) and "sklearn" in repr(model)
    rows = new_rows()
    with pytest.raises(InvalidArgument, match=r"lacks the columns \['site'\]"):
        model.predict(rows.drop(columns="site"))
    gaps = rows.copy()
    gaps.loc[1, "site"] = None  # site had no gaps and no imputer
    for refuse in (model.predict, predictor.predict):
        with pytest.raises(InvalidArgument, match=r"missing values \{'site': 1\}"):
            refuse(gaps)
    with pytest.raises(InvalidArgument, match="drawn from a tabular Dataset; got int"):
        model.predict(1)
    with pytest.raises(InvalidArgument, match="Read it first"):
        model.predict("rows.csv")
    one = model.predict(rows.to_dict("records")[3])
    assert one["species"][0] == model.predict(rows)["species"][3]


def test_export_writes_nothing_when_the_predictor_is_missing(tmp_path):
    from types import SimpleNamespace

    from assay.errors import NotFound

    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(NotFound, match="Predictor with id 404"):
        PKL.export(SimpleNamespace(id=404, library="sklearn"), out / "m.pkl")
    assert list(out.iterdir()) == []
