"""The dashboard in a real browser (Playwright driving Debian's chromium, headless).

Log in with a token; create a model; upload a pkl; publish; editing is refused afterwards;
delete a version and the others keep their numbers; a queue training in another process
draws its curves on the run's page as they grow; a confusion matrix cell lists its records;
a description's markdown never runs a script.
"""

from __future__ import annotations

import os
import pickle
import re
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from assay.server.tokens import create_token
from tests.conftest import browser_or_skip
from tests.server.experiments import make_experiment

REPOSITORY = Path(__file__).resolve().parents[2]
#: How long a step may take before the test fails (the machine may be busy).
WAIT_MS = 20_000


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """One headless chromium for the module's tests."""
    executable = browser_or_skip()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, headless=True)
        yield launched
        launched.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh browser context (no cookies) on the live server."""
    from playwright.sync_api import expect

    expect.set_options(timeout=WAIT_MS)
    context = browser.new_context(base_url=live_server)
    opened = context.new_page()
    opened.set_default_timeout(WAIT_MS)
    yield opened
    context.close()


def log_in(page, role: str = "admin") -> None:
    """Log in through the form with a new token of ``role``."""
    from playwright.sync_api import expect

    token = create_token("ada", "default", role).secret
    page.goto("/models")
    expect(page).to_have_url(re.compile(r"/login"))
    page.get_by_label("Token").fill(token)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("status")).to_contain_text("Logged in as ada")


def create_model(page, name: str, description: str) -> None:
    page.goto("/models")
    page.locator("#create-model summary").click()
    form = page.locator("#create-model form")
    form.get_by_label("Name").fill(name)
    form.get_by_label("Tags").fill("tabular")
    form.get_by_label("Description (markdown)").fill(description)
    form.get_by_role("button", name="Create").click()


def new_version(page, description: str, file: Path | None = None) -> None:
    page.locator("#new-version-tab").click()
    form = page.locator("#new-version form")
    form.get_by_label("Description (markdown)").fill(description)
    form.get_by_label("Hyperparameters (JSON)").fill('{"C": 1.0}')
    if file is not None:
        form.get_by_label("File").set_input_files(str(file))
    form.get_by_role("button", name="Submit").click()


def test_model_lifecycle(page, tmp_path):
    from playwright.sync_api import expect

    log_in(page)
    create_model(page, "churn", "Predicts **churn**.")
    expect(page.locator("#model-name")).to_have_text("churn")
    expect(page.locator("#model-description strong")).to_have_text("churn")

    pkl = tmp_path / "churn.pkl"
    pkl.write_bytes(pickle.dumps({"weights": [0.5, 1.5]}))
    new_version(page, "first", pkl)
    expect(page.get_by_role("status")).to_have_text("Version 1 created.")
    expect(page.locator("#format-pkl")).to_contain_text("churn.pkl")
    new_version(page, "second")
    new_version(page, "third")
    expect(page.locator("#version-numbers")).to_have_text("1, 2, 3")

    page.locator("#version-select").select_option("1")
    expect(page.locator("#version-details h2")).to_have_text("Version Details: version 1")
    link = page.locator("#format-pkl a", has_text="Download").get_attribute("href")
    assert page.request.get(link).body() == pkl.read_bytes()
    page.locator("#publish").click()
    expect(page.locator("#published-note")).to_be_visible()
    # published: no edit form, no upload or delete of its files ...
    expect(page.locator("#edit-version")).to_have_count(0)
    expect(page.locator("#formats form")).to_have_count(0)
    # ... and a form posted anyway is refused, the version unchanged
    csrf = page.locator("input[name=csrf]").first.get_attribute("value")
    refused = page.request.post(
        page.url.replace("?version=1", "/versions/1/edit"),
        form={"csrf": csrf, "description": "changed"},
        headers={"Referer": page.url},
    )
    assert "is published, so it and its formats cannot change" in refused.text()
    page.reload()
    expect(page.locator("#version-details")).to_contain_text("first")

    page.locator("#version-select").select_option("2")
    page.get_by_role("link", name="Delete").click()
    page.get_by_role("button", name="Delete version 2").click()
    expect(page.get_by_role("status")).to_have_text("Version 2 deleted.")
    expect(page.locator("#version-numbers")).to_have_text("1, 3")
    assert page.locator("#version-select option").all_text_contents() == ["1 (published)", "3"]


def test_a_description_never_runs_a_script(page):
    from playwright.sync_api import expect

    log_in(page, "editor")
    attack = (
        "<script>window.hacked = 1</script>\n\n"
        '<img src="x" onerror="window.hacked = 2">\n\n'
        "[click me](javascript:window.hacked=3)"
    )
    create_model(page, "xss", attack)
    description = page.locator("#model-description")
    expect(description).to_contain_text("<script>window.hacked = 1</script>")
    assert page.evaluate("window.hacked") is None
    assert description.locator("script, img, a[href^='javascript']").count() == 0


LIVE_QUEUE = """
import time, torch
from sklearn.datasets import load_iris
from assay import track
from assay.orm import Algorithm, Dataset, Feature, Label, Queue, Splitset
from assay.utils.pytorch import fit

class Slow(torch.nn.Module):
    # a small network that takes its time, so that a browser can watch it learn
    def __init__(self):
        super().__init__()
        self.layer = torch.nn.Linear(4, 3)
    def forward(self, x):
        time.sleep(0.012)
        return self.layer(x)

def build(features_shape, label_shape, **hp):
    torch.manual_seed(0)
    return Slow()

def lose(**hp):
    return torch.nn.CrossEntropyLoss()

def optimize(model, **hp):
    return torch.optim.Adam(model.parameters(), lr=0.05)

def train(model, loser, optimizer, train_x, train_y, eval_x, eval_y, **hp):
    rates = [[epoch, 0.05 * 0.9 ** epoch] for epoch in range(1, 13)]
    track.update_plots(True, {"learning rate": {"labels": ["epoch", "rate"],
                       "description": "The planned schedule", "planned": rates}})
    model, history = fit(model, loser, optimizer, train_x, train_y, eval_x, eval_y,
                         epochs=12, batch_size=5)
    track.performance({"final loss": float(history["loss"][-1])})
    return model

dataset = Dataset.Tabular.from_df(load_iris(as_frame=True).frame)
feature = Feature.from_dataset(dataset.id, exclude_columns=["target"])
label = Label.from_dataset(dataset.id, columns=["target"])
splitset = Splitset.make([feature.id], label.id, size_test=0.3)
algorithm = Algorithm.make("pytorch", "classification_multi", build, train,
                           fn_lose=lose, fn_optimize=optimize)
Queue.from_algorithm(algorithm.id, splitset.id, permute_count=0).run_jobs(progress=False)
"""


#: How many points the first learning curve on a run's page has.
CURVE_POINTS = "((document.getElementById('curves').data || [])[0] || {x: []}).x.length"


def running_run_id(process: subprocess.Popen, deadline: float) -> int:
    """The id of the run that the other process is training, once it trains."""
    from sqlalchemy import select

    from assay.orm.run import Run
    from assay.store import reading

    while time.monotonic() < deadline:
        assert process.poll() is None, process.stderr.read()
        with reading() as db:
            running = db.scalar(select(Run.id).where(Run.status == "running"))
        if running is not None:
            return running
        time.sleep(0.2)
    raise AssertionError("the queue did not start training")


def test_a_queue_in_another_process_draws_its_curves_as_they_grow(page, tmp_path):
    from playwright.sync_api import expect

    log_in(page, "viewer")
    script = tmp_path / "live_queue.py"
    script.write_text(textwrap.dedent(LIVE_QUEUE))
    env = dict(os.environ, PYTHONPATH=str(REPOSITORY), OMP_NUM_THREADS="1")
    process = subprocess.Popen(
        [sys.executable, str(script)], env=env, stderr=subprocess.PIPE, text=True
    )
    try:
        run_id = running_run_id(process, time.monotonic() + 120)
        page.goto(f"/runs/{run_id}")
        seen = set()
        while page.locator("#run-status").text_content() == "running" and len(seen) < 3:
            points = page.evaluate(CURVE_POINTS)
            if points:
                seen.add(points)
            time.sleep(0.3)
        # the curves grew while the run trained: three different lengths, each on screen
        assert len(seen) >= 3, seen
        expect(page.locator("#run-status")).to_have_text("succeeded", timeout=60_000)
        expect(page.locator("#run-epochs")).to_have_text("12")
        assert page.evaluate(CURVE_POINTS) == 12
        expect(page.locator("#plots")).to_contain_text("learning rate (training)")
        expect(page.locator("#plots")).to_contain_text("The planned schedule")
        expect(page.locator("#performance")).to_contain_text("final loss")
        page.get_by_role("link", name=re.compile(r"^queue \d+$")).click()
        expect(page.locator(f"tr[data-run='{run_id}'] [data-field=status]")).to_have_text(
            "succeeded"
        )
    finally:
        process.kill()
        process.wait()


def test_a_confusion_matrix_cell_lists_its_records(page):
    from playwright.sync_api import expect

    experiment = make_experiment()
    log_in(page, "viewer")
    page.goto(f"/predictions/{experiment.prediction_id}")
    table = page.locator("table.confusion[data-split=test]")
    cell = table.locator("button.cell[data-true=versicolor][data-predicted=versicolor]")
    count = int(cell.text_content())
    assert count > 0
    cell.click()
    records = page.locator("#cell-records")
    expect(records.locator("#cell-title")).to_contain_text(
        f"{count} record(s) of test: true versicolor, predicted versicolor"
    )
    expect(records.locator("tr.record")).to_have_count(min(count, 20))
    species = records.locator("tr.record td:last-child").all_text_contents()
    assert set(species) == {"versicolor"}
    expect(page.locator("#roc .figure")).to_have_count(2)
