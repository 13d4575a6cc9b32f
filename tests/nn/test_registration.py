"""A trained Model or Ensemble registered: a pkl version that predicts, recording its fold file."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from assay.data.hashing import sha256_file
from assay.errors import InvalidArgument
from assay.nn import Ensemble, Model, train_models
from assay.registry import Registry
from tests.nn.foldfiles import CANCER_FEATS, builder, cancer_foldfile


@pytest.fixture
def fy(tmp_path):
    return cancer_foldfile(tmp_path, n_folds=3)


def test_a_model_registers_as_a_version_that_predicts_and_names_its_fold_file(fy):
    torch.manual_seed(0)
    model = Model(builder("classification", CANCER_FEATS), device="cpu")
    model.fit(2, fy, 64, val_idx=0)

    version = model.register("cancer-nn", description="A small network.", tags="nn")

    assert version.version == 1 and version.tags == ["nn"]
    assert [f.format_id for f in version.formats] == ["pkl"]
    assert version.records == [
        {"reference": str(fy.path.resolve()), "sha256": sha256_file(fy.path)}
    ]
    assert version.hyperparameters["objective"] == "classification"
    assert version.hyperparameters["opt_args"]["lr"] == 0.01
    assert version.hyperparameters["body"]["keywords"] == {"depth": 2, "width": 16}
    assert version.config["library"] == "torch" and version.config["kind"] == "assay.nn.Model"
    assert version.config["cont_feats"] == CANCER_FEATS
    loaded = version.load("pkl")
    inputs = fy[1]["inputs"]
    assert isinstance(loaded, Model)
    assert np.array_equal(loaded.predict(inputs), model.predict(inputs))
    lineage = version.lineage().find("Reference")[0]
    assert lineage.details["sha256"] == sha256_file(fy.path)


def test_an_ensemble_registers_with_its_weights_and_losses(fy, tmp_path):
    torch.manual_seed(0)
    results = train_models(
        fy,
        2,
        64,
        builder("classification", CANCER_FEATS),
        2,
        savepath=tmp_path / "weights",
        progress=False,
    )
    ensemble = Ensemble.from_results(results, 2)
    version = ensemble.register("cancer-ensemble")
    assert version.config["kind"] == "assay.nn.Ensemble" and version.config["weights"] == [0.5, 0.5]
    assert version.hyperparameters["n_models"] == 2
    assert version.performance["val_loss"] == [r["loss"] for r in ensemble.results]
    assert version.records[0]["sha256"] == sha256_file(fy.path)
    inputs = fy[2]["inputs"]
    got, expected = version.load("pkl").predict(inputs), ensemble.predict(inputs)
    assert all(np.array_equal(a, b) for a, b in zip(got, expected, strict=True))


def test_registering_without_a_fold_file_writes_nothing(fy, tmp_path):
    model = Model(builder("classification", CANCER_FEATS), device="cpu")  # never trained
    with pytest.raises(InvalidArgument, match="pass fold_file="):
        model.register("untrained")
    with pytest.raises(InvalidArgument, match="no file at"):
        model.register("untrained", fold_file=tmp_path / "missing.hdf5")
    with pytest.raises(InvalidArgument, match="without surrounding spaces or '/'"):
        model.register("bad/name", fold_file=fy.path)
    assert Registry().models() == []
    version = model.register("named", fold_file=fy.path)
    assert version.records[0]["reference"] == str(fy.path.resolve())


def test_a_reference_record_may_carry_a_sha256_and_a_bad_one_is_refused():
    registry = Registry()
    model = registry.create_model("outside")
    digest = "ab" * 32
    version = model.create_version(records=[{"reference": "s3://b/x.h5", "sha256": digest}])
    assert version.records == [{"reference": "s3://b/x.h5", "sha256": digest}]
    with pytest.raises(InvalidArgument, match="64 lowercase hex digits"):
        model.create_version(records=[{"reference": "s3://b/x.h5", "sha256": "abc"}])
    assert [v.version for v in model.versions] == [1]
