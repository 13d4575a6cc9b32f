"""The registry of formats: ids, lookups, and what every format does with a file."""

import os
import subprocess
import sys
from types import SimpleNamespace

import pytest

from assay.errors import InvalidArgument
from assay.registry.formats import ModelFormat, format_ids, get_format, register_format
from tests.registry.formats.samples import valid_files, write


def test_the_four_formats_are_registered_on_import():
    assert format_ids() == ["onnx", "pkl", "pmml", "rda"]
    for format_id in format_ids():
        model_format = get_format(format_id)
        assert isinstance(model_format, ModelFormat) and model_format.id == format_id
        assert model_format.suffix == f".{format_id}" and model_format.description


def test_an_unknown_format_is_refused_with_the_known_ones():
    with pytest.raises(
        InvalidArgument, match=r"'h5' is not a known model format; known: onnx, pkl, pmml, rda"
    ):
        get_format("h5")
    with pytest.raises(InvalidArgument, match="not a known model format"):
        get_format(None)


def test_each_format_accepts_its_own_files_and_refuses_the_others(tmp_path):
    files = valid_files()
    for format_id, data in files.items():
        get_format(format_id).validate(write(tmp_path, f"good.{format_id}", data))
    for format_id in files:
        for other, data in files.items():
            if other == format_id:
                continue
            # named as the format expects: the extension decides nothing
            path = write(tmp_path, f"model{get_format(format_id).suffix}", data)
            with pytest.raises(InvalidArgument, match=f"format '{format_id}'"):
                get_format(format_id).validate(path)


@pytest.mark.parametrize("format_id", ["pkl", "onnx", "pmml", "rda"])
def test_empty_missing_and_folder_uploads_are_refused(tmp_path, format_id):
    model_format = get_format(format_id)
    with pytest.raises(InvalidArgument, match=rf"format '{format_id}': 'empty.bin' is empty"):
        model_format.validate(write(tmp_path, "empty.bin", b""))
    with pytest.raises(InvalidArgument, match="there is no file"):
        model_format.validate(tmp_path / "absent.bin")
    with pytest.raises(InvalidArgument, match="is not a file"):
        model_format.validate(tmp_path)


def test_which_formats_assay_can_export_from_each_library():
    exportable = {
        library: [
            f for f in format_ids() if get_format(f).can_export(SimpleNamespace(library=library))
        ]
        for library in ("sklearn", "xgboost", "pytorch", "keras")
    }
    assert exportable == {
        "sklearn": ["onnx", "pkl", "pmml"],
        "xgboost": ["onnx", "pkl", "pmml"],
        "pytorch": ["onnx", "pkl"],
        "keras": ["onnx", "pkl"],
    }


def test_rda_is_uploaded_only(tmp_path):
    rda = get_format("rda")
    with pytest.raises(
        InvalidArgument, match=r"'rda' cannot be exported .*add_format\('rda', file\)"
    ):
        rda.export(SimpleNamespace(library="sklearn", id=1), tmp_path / "m.rda")
    with pytest.raises(InvalidArgument, match="cannot be loaded in Python"):
        rda.load(tmp_path / "m.rda")
    assert not (tmp_path / "m.rda").exists()


def test_a_plugin_registers_a_format_of_its_own(tmp_path):
    class Text(ModelFormat):
        id = "txt"
        description = "notes"
        suffix = ".txt"

        def validate(self, path):
            if not path.read_bytes().isascii():
                raise InvalidArgument("format 'txt': not ASCII")

    register_format(Text())
    try:
        assert "txt" in format_ids()
        get_format("txt").validate(write(tmp_path, "a.txt", b"hello"))
        with pytest.raises(InvalidArgument, match="cannot be exported"):
            get_format("txt").export(SimpleNamespace(library="sklearn"), tmp_path / "b.txt")
    finally:
        from assay.registry.formats import base

        base._FORMATS.pop("txt")


def test_importing_the_formats_loads_none_of_their_libraries():
    heavy = [
        "onnx",
        "onnxruntime",
        "skl2onnx",
        "onnxmltools",
        "sklearn2pmml",
        "jpmml_evaluator",
        "torch",
        "keras",
        "xgboost",
    ]
    code = f"import sys, assay.registry.formats\nprint([m for m in {heavy!r} if m in sys.modules])"
    env = {k: v for k, v in os.environ.items() if k != "ASSAY_DATABASE_URL"}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert out.stdout.strip() == "[]"
