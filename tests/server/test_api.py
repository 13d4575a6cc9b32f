"""What the API serves: Datasets and their rows, Queues and runs with epochs so far,
Predictions with curves, confusion matrices and the rows behind each cell, tokens."""

from __future__ import annotations

import pytest

from assay.orm import Dataset, Prediction
from assay.orm.predictor import EpochMetrics
from assay.server.auth import API
from assay.store import transaction
from tests.server.conftest import bearer
from tests.server.experiments import make_experiment


@pytest.fixture
def made():
    return make_experiment()


def get(client, token: str, path: str, **params):
    response = client.get(API + path, headers=bearer(token), params=params)
    assert response.status_code == 200, response.text
    return response.json()


def test_datasets_and_a_page_of_rows(client, tokens, made):
    viewer = tokens["viewer"]
    listed = get(client, viewer, "/datasets")
    assert [d["id"] for d in listed["items"]] == [made.dataset_id] and listed["total"] == 1
    one = get(client, viewer, f"/datasets/{made.dataset_id}")
    assert one["shape"] == {"rows": 150, "columns": 5} and one["columns"][-1] == "species"
    page = get(client, viewer, f"/datasets/{made.dataset_id}/rows", offset=148, limit=5)
    frame = Dataset.to_df(made.dataset_id, samples=[148, 149])
    assert page["total"] == 150 and [row["sample"] for row in page["items"]] == [148, 149]
    assert page["items"][1]["values"] == frame.iloc[1].to_dict()


def test_queues_and_runs_with_status_and_epochs_so_far(client, tokens, made):
    with transaction() as db:
        for epoch in range(3):
            db.add(
                EpochMetrics(run_id=made.run_id, epoch=epoch, metrics={"loss": 1.0 / (epoch + 1)})
            )
    viewer = tokens["viewer"]
    queue = get(client, viewer, f"/queues/{made.queue_id}")
    assert queue["runs_by_status"]["succeeded"] == queue["total_runs"] == 1
    runs = get(client, viewer, f"/queues/{made.queue_id}/runs")
    assert [(r["id"], r["status"], r["epoch_count"]) for r in runs["items"]] == [
        (made.run_id, "succeeded", 3)
    ]
    assert get(client, viewer, "/runs", status="failed")["total"] == 0
    epochs = get(client, viewer, f"/runs/{made.run_id}/epochs", offset=1, limit=1)
    assert epochs == {
        "items": [{"epoch": 1, "metrics": {"loss": 0.5}}],
        "offset": 1,
        "limit": 1,
        "total": 3,
    }


def test_predictions_metrics_curves_and_confusion(client, tokens, made):
    viewer = tokens["viewer"]
    prediction = Prediction.get_by_id(made.prediction_id)
    one = get(client, viewer, f"/predictions/{made.prediction_id}")
    assert one["splits"] == list(prediction.predictions) and one["queue_id"] == made.queue_id
    assert one["metrics"]["test"]["accuracy"] == pytest.approx(
        prediction.metrics["test"]["accuracy"]
    )
    assert get(client, viewer, "/predictions", queue_id=made.queue_id)["total"] == 1
    curves = get(client, viewer, f"/predictions/{made.prediction_id}/curves")
    expected = prediction.roc_curves()["test"]["virginica"]
    assert curves["roc"]["test"]["virginica"]["auc"] == pytest.approx(expected["auc"])
    assert curves["roc"]["test"]["virginica"]["thresholds"][0] is None  # inf as null
    assert set(curves["precision_recall"]["test"]) == {"setosa", "versicolor", "virginica"}
    confusion = get(client, viewer, f"/predictions/{made.prediction_id}/confusion")
    assert confusion["class_names"] == ["setosa", "versicolor", "virginica"]
    assert confusion["matrices"]["test"] == prediction.confusion_matrices()["test"].tolist()


def test_the_records_behind_a_cell_are_the_datasets_rows(client, tokens, made):
    viewer = tokens["viewer"]
    prediction = Prediction.get_by_id(made.prediction_id)
    cells = prediction.confusion_records("test")
    samples = cells[("virginica", "virginica")]
    path = f"/predictions/{made.prediction_id}/confusion/test/records"
    page = get(client, viewer, path, true="virginica", predicted="virginica", limit=4)
    assert page["total"] == len(samples) and [r["sample"] for r in page["items"]] == samples[:4]
    rows = Dataset.to_df(made.dataset_id, samples=samples[:4])
    assert [r["values"] for r in page["items"]] == rows.to_dict(orient="records")
    assert {r["values"]["species"] for r in page["items"]} == {"virginica"}
    refused = client.get(
        API + path, headers=bearer(viewer), params={"true": "rose", "predicted": "setosa"}
    )
    assert refused.status_code == 400 and "class names" in refused.json()["detail"]


def test_missing_rows_answer_404(client, tokens, made):
    for path in ("/datasets/99", "/queues/99", "/runs/99", "/predictions/99", "/models/99"):
        response = client.get(API + path, headers=bearer(tokens["admin"]))
        assert response.status_code == 404, path


def test_admins_make_list_and_revoke_tokens_of_their_context(client, tokens):
    admin = bearer(tokens["admin"])
    made = client.post(f"{API}/tokens", headers=admin, json={"user": "newbie", "role": "editor"})
    assert made.status_code == 201
    secret = made.json()["token"]
    assert get(client, secret, "/me")["role"] == "editor"
    listed = client.get(f"{API}/tokens", headers=admin).json()
    assert all("token" not in row and "token_hash" not in row for row in listed)
    assert {row["context"] for row in listed} == {"default"}
    bad = client.post(f"{API}/tokens", headers=admin, json={"user": "x", "role": "owner"})
    assert bad.status_code == 400 and "role must be one of" in bad.json()["detail"]
    assert client.delete(f"{API}/tokens/{made.json()['id']}", headers=admin).status_code == 200
    assert client.get(f"{API}/me", headers=bearer(secret)).status_code == 401
