"""``assay serve``'s endpoint, live: JSON rows in, decoded predictions out, clear 422s."""

from __future__ import annotations

import httpx
import pytest

from assay.endpoint.app import create_app
from assay.endpoint.model import resolve
from assay.errors import InvalidArgument, NotFound
from tests.endpoint.live import live_server, records
from tests.registry.formats.models import MEASUREMENTS, SPECIES, new_rows, trained


@pytest.fixture
def predictor():
    """A scikit-learn Predictor of iris species from raw rows (imputed, encoded, scaled)."""
    return trained("sklearn")


def test_rows_get_the_predictor_s_decoded_predictions_and_probabilities(predictor):
    rows = new_rows().head(5)
    expected = predictor.predict(rows)
    with live_server(create_app(resolve(str(predictor.id)))) as url:
        assert httpx.get(f"{url}/health").json() == {
            "status": "ok",
            "model": f"Predictor {predictor.id}",
        }
        metadata = httpx.get(f"{url}/metadata").json()
        response = httpx.post(f"{url}/predict", json={"rows": records(rows)})
    assert metadata["classes"] == SPECIES and metadata["analysis_type"] == "classification_multi"
    assert metadata["columns"]["site"]["expected"].startswith("text or a number")
    assert metadata["columns"]["petal width (cm)"] == {
        "feature": 0,
        "dtype": "float64",
        "expected": "a number",
        "nullable": True,
    }
    assert metadata["columns"]["sepal width (cm)"]["nullable"] is True
    assert response.status_code == 200
    answer = response.json()["predictions"]
    assert [row["species"] for row in answer] == list(expected["species"])
    for row, (_, want) in zip(answer, expected.iterrows(), strict=True):
        assert row["probabilities"] == pytest.approx({s: want[f"p_{s}"] for s in SPECIES})


def test_rows_that_do_not_fit_get_a_422_naming_each_row_column_and_expectation(predictor):
    good = records(new_rows().head(3))
    bad = [dict(row) for row in good]
    del bad[0]["site"]
    bad[1]["petal width (cm)"] = "wide"
    bad[2]["colour"] = "blue"
    with live_server(create_app(resolve(str(predictor.id)))) as url:
        response = httpx.post(f"{url}/predict", json={"rows": bad})
        not_a_list = httpx.post(f"{url}/predict", json={"rows": "all of them"})
        empty = httpx.post(f"{url}/predict", json={"rows": []})
        unseen = httpx.post(f"{url}/predict", json={"rows": [{**good[0], "site": "west"}]})
    assert response.status_code == 422
    problems = {(p["row"], p["column"]): p for p in response.json()["detail"]}
    assert set(problems) == {(0, "site"), (1, "petal width (cm)"), (2, "colour")}
    assert problems[(0, "site")]["msg"] == (
        "row 0, column 'site': expected text or a number (the column held text in training; "
        "a coder encodes it); got nothing (missing)"
    )
    assert problems[(1, "petal width (cm)")]["expected"] == "a number"
    assert problems[(1, "petal width (cm)")]["loc"] == ["body", "rows", 1, "petal width (cm)"]
    assert "only the model's columns" in problems[(2, "colour")]["expected"]
    assert not_a_list.status_code == 422
    assert empty.status_code == 422 and "at least one row" in empty.json()["detail"][0]["msg"]
    assert unseen.status_code == 422 and "west" in unseen.json()["detail"][0]["msg"]


def test_gaps_are_refused_where_nothing_fills_them(predictor):
    row = records(new_rows().head(1))[0]
    with live_server(create_app(resolve(str(predictor.id)))) as url:
        filled = httpx.post(f"{url}/predict", json={"rows": [{**row, MEASUREMENTS[0]: None}]})
        unfilled = httpx.post(f"{url}/predict", json={"rows": [{**row, "site": None}]})
    assert filled.status_code == 200  # the imputer fills the measurements
    assert unfilled.status_code == 422
    assert "this column takes no gaps" in unfilled.json()["detail"][0]["msg"]


def test_a_registered_version_is_served_by_name_and_number(predictor):
    first = predictor.register("iris")
    second = predictor.register("iris")
    assert (first.version, second.version) == (1, 2)
    assert resolve("iris").source == "model 'iris' version 2"
    served = resolve("iris@1")
    assert served.source == "model 'iris' version 1"
    rows = new_rows().head(4)
    with live_server(create_app(served)) as url:
        answer = httpx.post(f"{url}/predict", json={"rows": records(rows)}).json()
    assert [row["species"] for row in answer["predictions"]] == list(
        predictor.predict(rows)["species"]
    )


def test_what_cannot_be_served_is_refused_before_a_server_starts(predictor):
    with pytest.raises(InvalidArgument, match=r"MODEL must be a Predictor id .*got 'iris@'"):
        resolve("iris@")
    with pytest.raises(NotFound):
        resolve("no-such-model")
    with pytest.raises(NotFound):
        resolve(str(predictor.id + 100))


def test_models_whose_features_json_rows_cannot_hold_are_refused():
    from types import SimpleNamespace

    from assay.endpoint.model import ServedModel, _check_tables
    from assay.registry.formats.portable import PortableFeature
    from assay.serve import TrainedFeature

    def served(*trained):
        features = [PortableFeature(one, frozenset(), frozenset()) for one in trained]
        return ServedModel("7", SimpleNamespace(features=features), "Predictor 7")

    table = TrainedFeature(1, ["age", "plan"], "tabular")
    _check_tables(served(table, TrainedFeature(2, ["visits"], "tabular")))
    with pytest.raises(
        InvalidArgument, match="Feature 3 takes images; serving takes models of tabular"
    ):
        _check_tables(served(TrainedFeature(3, ["pixel"], "image")))
    with pytest.raises(InvalidArgument, match="Feature 4 takes windows of a series"):
        _check_tables(served(TrainedFeature(4, ["load"], "tabular", window=(24, 1))))
    with pytest.raises(InvalidArgument, match="Features 1 and 5 both have a column 'age'"):
        _check_tables(served(table, TrainedFeature(5, ["age"], "tabular")))
