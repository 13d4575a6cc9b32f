"""The pmml format: safe XML validation, and exports checked with jpmml-evaluator on Java."""

from types import SimpleNamespace

import numpy as np
import pytest

from assay.errors import InvalidArgument, MissingDependency
from assay.registry.formats import get_format
from tests.registry.formats.models import SPECIES, trained, trained_regression
from tests.registry.formats.samples import PMML, write

FORMAT = get_format("pmml")

LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE PMML [<!ENTITY a "ha"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>
<PMML xmlns="http://www.dmg.org/PMML-4_4" version="4.4"><Header description="&b;"/></PMML>
"""
EXTERNAL = b"""<?xml version="1.0"?>
<!DOCTYPE PMML [<!ENTITY secret SYSTEM "file:///etc/hostname">]>
<PMML xmlns="http://www.dmg.org/PMML-4_4" version="4.4"><Header description="&secret;"/></PMML>
"""


def test_a_pmml_document_is_accepted(tmp_path):
    FORMAT.validate(write(tmp_path, "m.pmml", PMML))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (LAUGHS, "it declares a DOCTYPE"),
        (EXTERNAL, "it declares a DOCTYPE"),
        (
            PMML.replace(b' xmlns="http://www.dmg.org/PMML-4_4"', b""),
            "root element is 'PMML' without a namespace",
        ),
        (
            PMML.replace(b"dmg.org/PMML-4_4", b"example.org/PMML"),
            r"in namespace 'http://www\.example\.org/PMML'",
        ),
        (
            b'<?xml version="1.0"?><html xmlns="http://www.dmg.org/PMML-4_4"/>',
            "root element is 'html'",
        ),
        (PMML.replace(b' version="4.4"', b""), "no 'version' attribute"),
        (
            PMML.replace(b"DataDictionary", b"DataDict"),
            "lacks the DataDictionary that PMML requires",
        ),
        (PMML[:-20], "not well-formed XML: unclosed token at line 10"),
        (b"\x80\x04K\x01.", "not well-formed XML"),
    ],
)
def test_what_is_not_pmml_is_refused_without_expanding_anything(tmp_path, data, message):
    with pytest.raises(
        InvalidArgument, match=rf"format 'pmml': 'm\.pmml' is not PMML: .*{message}"
    ):
        FORMAT.validate(write(tmp_path, "m.pmml", data))


def test_only_scikit_learn_and_xgboost_are_exported(tmp_path):
    with pytest.raises(
        InvalidArgument,
        match="cannot be exported from a pytorch model; assay converts sklearn, xgboost",
    ):
        FORMAT.export(SimpleNamespace(id=1, library="pytorch"), tmp_path / "m.pmml")


def test_without_java_the_error_says_how_to_install_it(tmp_path, monkeypatch):
    monkeypatch.setattr("shutil.which", lambda name: None)
    monkeypatch.delenv("JAVA_HOME", raising=False)
    with pytest.raises(MissingDependency, match="apt-get install default-jre-headless"):
        FORMAT.export(SimpleNamespace(id=1, library="sklearn"), tmp_path / "m.pmml")
    with pytest.raises(MissingDependency, match="needs Java"):
        FORMAT.load(write(tmp_path, "m.pmml", PMML))


@pytest.mark.parametrize("library", ["sklearn", "xgboost"])
def test_an_export_scores_as_the_model_does(tmp_path, java, library):
    import pandas as pd

    predictor = trained(library)
    out = tmp_path / "out"
    out.mkdir()
    FORMAT.export(predictor, out / "model.pmml")
    assert [p.name for p in out.iterdir()] == ["model.pmml"]
    FORMAT.validate(out / "model.pmml")
    evaluator = FORMAT.load(out / "model.pmml")
    x, _ = predictor.fit_splitset().to_numpy("test")
    names = predictor.ordered_feature_names[0]  # the encoded columns: PMML's field names
    used = {field.getName() for field in evaluator.getInputFields()}
    assert used <= set(names) and "petal width (cm)" in used
    scored = evaluator.evaluateAll(pd.DataFrame(x, columns=names))
    probabilities = scored[[c for c in scored.columns if c.startswith("probability(")]].to_numpy()
    np.testing.assert_allclose(probabilities, predictor.get_model().predict_proba(x), atol=1e-4)
    decoded = np.asarray(SPECIES, dtype=object)[probabilities.argmax(axis=1)]
    assert decoded.tolist() == list(predictor.predictions[0].predictions["test"])


def test_a_regression_export_and_a_refused_one(tmp_path, java, monkeypatch):
    predictor, _ = trained_regression()
    FORMAT.export(predictor, tmp_path / "ridge.pmml")
    assert b"RegressionModel" in (tmp_path / "ridge.pmml").read_bytes()
    from assay.registry.formats import parity

    honest = parity.estimator_outputs

    def off_by_a_bit(model, table):
        expected, output = honest(model, table)
        return expected + 0.01, output

    monkeypatch.setattr(parity, "estimator_outputs", off_by_a_bit)
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(
        InvalidArgument, match=r"its outputs differ from the sklearn model's by up to 0\.01"
    ):
        FORMAT.export(predictor, out / "ridge.pmml")
    assert list(out.iterdir()) == []
