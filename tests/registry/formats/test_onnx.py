"""The onnx format: exports from four libraries, checked against the model, and uploads."""

from types import SimpleNamespace

import numpy as np
import pytest

from assay.errors import InvalidArgument
from assay.registry.formats import get_format, onnx_convert
from assay.registry.formats.onnx import OnnxModel
from tests.registry.formats.models import LIBRARIES, SPECIES, trained, trained_regression
from tests.registry.formats.samples import onnx_model, write

ONNX = get_format("onnx")


def own_outputs(library, model, x):
    """The model's outputs on preprocessed rows, computed here without assay's helpers."""
    if library in ("sklearn", "xgboost"):
        return model.predict_proba(x)
    if library == "pytorch":
        import torch

        with torch.no_grad():
            return model(torch.as_tensor(x, dtype=torch.float32)).numpy()
    return model.predict(x.astype(np.float32), verbose=0)


@pytest.mark.parametrize("library", LIBRARIES)
def test_an_export_runs_in_onnxruntime_as_the_model_does(tmp_path, library):
    predictor = trained(library)
    out = tmp_path / "out"
    out.mkdir()
    path = out / "model.onnx"
    ONNX.export(predictor, path)
    ONNX.validate(path)
    assert [p.name for p in out.iterdir()] == ["model.onnx"]  # no temporary left
    loaded = ONNX.load(path)
    assert isinstance(loaded, OnnxModel) and len(loaded.input_names) == 1
    splitset = predictor.fit_splitset()
    x, _ = splitset.to_numpy("test")
    outputs = loaded.run(x)
    name = "probabilities" if library in ("sklearn", "xgboost") else loaded.output_names[0]
    np.testing.assert_allclose(
        outputs[name], own_outputs(library, predictor.get_model(), x), atol=1e-4
    )
    # the ONNX model's classes, decoded, are the Prediction's test predictions
    decoded = np.asarray(SPECIES, dtype=object)[outputs[name].argmax(axis=1)]
    assert decoded.tolist() == list(predictor.predictions[0].predictions["test"])


def test_a_regression_export_matches_within_the_relative_tolerance(tmp_path):
    predictor, _ = trained_regression()
    ONNX.export(predictor, tmp_path / "ridge.onnx")
    x, _ = predictor.fit_splitset().to_numpy("test")
    predicted = ONNX.load(tmp_path / "ridge.onnx").run(x)["variable"]
    np.testing.assert_allclose(predicted.ravel(), predictor.get_model().predict(x), atol=1e-4)


def test_an_export_that_disagrees_with_the_model_is_refused_and_not_written(tmp_path, monkeypatch):
    from sklearn.linear_model import LogisticRegression

    predictor = trained("sklearn")
    honest = onnx_convert.CONVERTERS["sklearn"]

    def another_model(rows):
        converted = honest(rows)
        x = rows.single_table("onnx")
        labels = rows.model.predict(x)
        other = LogisticRegression(C=1e-3, max_iter=500).fit(x, labels)  # weakly fitted
        import skl2onnx

        proto = skl2onnx.to_onnx(other, x[:1].astype(np.float32), options={"zipmap": False})
        return onnx_convert.Converted(proto, converted.expected, converted.compared_output)

    monkeypatch.setitem(onnx_convert.CONVERTERS, "sklearn", another_model)
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(
        InvalidArgument,
        match=r"format 'onnx': the export is refused: on 30 rows of the 'test' split its outputs "
        r"differ from the sklearn model's by up to 0\.\d+ \(the tolerance is 0\.0001",
    ):
        ONNX.export(predictor, out / "model.onnx")
    assert list(out.iterdir()) == []


def test_a_library_without_a_converter_is_refused_before_any_work(tmp_path):
    with pytest.raises(
        InvalidArgument,
        match="cannot be exported from a numpy model; assay converts keras, pytorch, sklearn, xgboost",
    ):
        ONNX.export(SimpleNamespace(id=1, library="numpy"), tmp_path / "m.onnx")


def test_a_converter_failure_is_reported_with_the_converters_message(tmp_path, monkeypatch):
    predictor = trained("sklearn")

    def refuses(model, *args, **kwargs):
        raise RuntimeError("Unable to find a shape calculator for type 'Mystery'")

    monkeypatch.setattr("skl2onnx.to_onnx", refuses)
    with pytest.raises(
        InvalidArgument,
        match=r"could not be converted: RuntimeError: Unable to find a shape calculator",
    ):
        ONNX.export(predictor, tmp_path / "m.onnx")


def test_uploads_are_checked_with_the_onnx_checker(tmp_path):
    good = write(tmp_path, "good.onnx", onnx_model())
    ONNX.validate(good)
    out = ONNX.load(good).run([np.zeros((3, 2))])
    np.testing.assert_array_equal(out["y"], np.ones((3, 2), dtype=np.float32))
    with pytest.raises(InvalidArgument, match="takes 1 input"):
        ONNX.load(good).run([np.zeros((3, 2)), np.zeros((3, 2))])
    with pytest.raises(InvalidArgument, match=r"'junk\.onnx' is not a valid ONNX model"):
        ONNX.validate(write(tmp_path, "junk.onnx", b"\x08\x07" + b"garbage" * 20))
    cut = onnx_model()
    with pytest.raises(InvalidArgument, match="not a valid ONNX model"):
        ONNX.validate(write(tmp_path, "cut.onnx", cut[: len(cut) // 2]))


def test_an_upload_that_needs_external_data_files_is_refused(tmp_path):
    import onnx

    model = onnx.load_from_string(onnx_model())
    path = tmp_path / "split.onnx"
    onnx.save_model(
        model, str(path), save_as_external_data=True, location="weights.bin", size_threshold=0
    )
    with pytest.raises(
        InvalidArgument, match=r"keeps 1 tensor\(s\) \(\['one'\]\) in external data files"
    ):
        ONNX.validate(path)
