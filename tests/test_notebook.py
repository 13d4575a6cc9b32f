"""The HTML tables a notebook shows for rows, rendered as IPython renders them."""

import re

import pandas as pd
import pytest
from sklearn.datasets import load_iris

from assay.orm import Algorithm, Dataset, Feature, Hyperparamset, Label, Queue, Splitset

IPython = pytest.importorskip("IPython", reason="pip install 'assay[dev]' installs IPython")


def shown(row) -> str:
    """The HTML that IPython's display machinery gets for a row (as a notebook would)."""
    from IPython.core.formatters import DisplayFormatter

    data, _ = DisplayFormatter().format(row)
    assert "text/plain" in data  # the repr stays for terminals
    return data["text/html"]


def cells(html: str) -> dict[str, str]:
    """``{header: value}`` of each row of the main table."""
    return dict(re.findall(r"<tr><th[^>]*>(.*?)</th><td[^>]*>(.*?)</td></tr>", html))


def grid(html: str) -> dict[str, dict[str, str]]:
    """``{row: {column: value}}`` of the grid under the main table."""
    second = html.split("</table>")[1]
    columns = re.findall(r"<th[^>]*>(.*?)</th>", second.split("</tr>")[0])[1:]
    rows = re.findall(r"<tr><th[^>]*>(.*?)</th>((?:<td[^>]*>.*?</td>)+)</tr>", second)
    return {
        key: dict(zip(columns, re.findall(r"<td[^>]*>(.*?)</td>", values), strict=True))
        for key, values in rows
    }


def build(features_shape, label_shape, **hp):
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=hp["C"], max_iter=200)


def train(model, loser, optimizer, train_features, train_label, eval_features, eval_label, **hp):
    if hp["C"] > 10:
        raise RuntimeError("this C diverges")
    return model.fit(train_features, train_label.ravel())


@pytest.fixture
def trained():
    """Iris, a validation split, one run that fails and one that succeeds."""
    frame = load_iris(as_frame=True).frame
    dataset = Dataset.Tabular.from_df(frame, name="iris")
    feature = Feature.from_dataset(dataset.id, exclude_columns=["target"])
    label = Label.from_dataset(dataset.id, columns=["target"])
    splitset = Splitset.make([feature.id], label.id, size_test=0.2, size_validation=0.2)
    algorithm = Algorithm.make("sklearn", "classification_multi", build, train)
    hyperparamset = Hyperparamset.from_algorithm(algorithm.id, {"C": [100.0, 1.0]})
    queue = Queue.from_algorithm(
        algorithm.id, splitset.id, hyperparamset_id=hyperparamset.id, permute_count=0
    )
    queue.run_jobs(progress=False)
    return dataset, splitset, queue


def test_a_dataset_shows_its_kind_shape_and_columns(trained):
    dataset, _, _ = trained
    html = shown(dataset)
    assert html.startswith('<div class="assay-row">') and len(html) < 3000
    assert "Dataset 1 &#x27;iris&#x27; v1" in html
    table = cells(html)
    assert table["kind"] == "tabular"
    assert table["shape"] == "150 rows \u00d7 5 columns"
    assert table["columns"].startswith("sepal length (cm), sepal width (cm)")


def test_a_splitset_shows_the_samples_of_each_split(trained):
    _, splitset, _ = trained
    html = shown(splitset)
    for split, size in splitset.sizes.items():
        assert re.search(rf"<th[^>]*>{split}</th><td[^>]*>{size['count']}</td>", html)
    table = cells(html)
    assert table["folds"] == "none" and table["label"] == "Label 1: target"
    assert table["supervision"] == "supervised"


def test_a_queue_shows_runs_done_failures_and_the_best_score(trained):
    _, _, queue = trained
    table = cells(shown(queue))
    assert table["runs done"] == "1 of 2" and table["failures"] == "1"
    assert table["algorithm"] == "Algorithm 1: sklearn"
    frame = queue.metrics_df()
    best = frame[frame["split"] == "validation"]["accuracy"].max()
    predictor = queue.predictors[0]
    assert table["best accuracy (validation)"] == f"{best:.4g} (Predictor {predictor.id})"


def test_a_predictor_and_its_prediction_show_their_metrics_per_split(trained):
    _, _, queue = trained
    predictor = queue.predictors[0]
    table = cells(shown(predictor))
    assert table["hyperparameters"] == "C=1.0" and table["job"].startswith("Job ")
    prediction = predictor.predictions[0]
    for html in (shown(predictor), shown(prediction)):
        table = grid(html)
        assert list(table) == ["train", "validation", "test"]
        for split, metrics in prediction.metrics.items():
            assert list(table[split]) == ["accuracy", "f1_macro", "roc_auc", "loss"]
            for name, value in table[split].items():
                assert value == f"{metrics[name]:.4g}"
    assert cells(shown(prediction))["predictor"] == f"Predictor {predictor.id}"


def test_names_and_columns_holding_markup_are_escaped():
    frame = pd.DataFrame({"<b>bold</b>": [1.0, 2.0], "a&b": [3.0, 4.0]})
    dataset = Dataset.Tabular.from_df(
        frame, name="<script>alert(1)</script>", description='"quoted" <i>notes</i>'
    )
    html = shown(dataset)
    assert "<script>" not in html and "<b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert cells(html)["columns"] == "&lt;b&gt;bold&lt;/b&gt;, a&amp;b"
    assert cells(html)["description"] == "&quot;quoted&quot; &lt;i&gt;notes&lt;/i&gt;"


def test_long_lists_are_cut_short():
    frame = pd.DataFrame({f"column_{at}": [1.0] for at in range(40)})
    table = cells(shown(Dataset.Tabular.from_df(frame)))
    assert table["columns"].endswith("column_11, … (28 more)")


def test_an_unscored_prediction_and_an_untrained_queue_say_so(trained):
    dataset, _, queue = trained
    untried = Queue.from_algorithm(queue.algorithm_id, queue.splitset_id, permute_count=0)
    table = cells(shown(untried))
    assert table["runs done"] == "0 of 1" and table["best accuracy (validation)"] == "—"
    predictor = queue.predictors[0]
    feature = Feature.from_dataset(dataset.id, exclude_columns=["target"])
    prediction = Splitset.make([feature.id], predictor_id=predictor.id).infer()
    table = cells(shown(prediction))
    assert table["metrics"] == "none (no target to score against)"
    assert table["splits"] == "infer_0"
