from typer.testing import CliRunner

from assay.cli import app
from assay.demo import register_sklearn_datasets

runner = CliRunner()


def test_queues_on_an_empty_metastore():
    assert runner.invoke(app, ["queues"]).output.strip() == "No queues yet."


def test_info_on_an_empty_metastore_lists_tables():
    result = runner.invoke(app, ["info"])
    assert result.exit_code == 0
    assert "metastore: sqlite:///" in result.output
    assert "dataset" in result.output and "0 rows" in result.output


def test_datasets_lists_what_was_registered():
    assert "No datasets registered yet." in runner.invoke(app, ["datasets"]).output
    register_sklearn_datasets()
    output = runner.invoke(app, ["datasets"]).output
    for name in ["iris", "breast_cancer", "wine", "diabetes", "digits"]:
        assert name in output
    assert "1797x1x8x8" in output


def test_registering_twice_reuses_the_datasets():
    first = register_sklearn_datasets()
    second = register_sklearn_datasets()
    assert {k: v.id for k, v in first.items()} == {k: v.id for k, v in second.items()}


def test_the_demo_runs_an_experiment_end_to_end(tmp_path, capsys):
    from assay.demo import main

    main([str(tmp_path / "out")])
    out = capsys.readouterr().out
    assert "accuracy on the unseen patients" in out
    assert "Accuracy of each combination over its 3 folds" in out
    files = {path.name for path in (tmp_path / "out").iterdir()}
    assert {"metrics.csv", "performance.html", "roc.html", "feature_importance.html"} <= files
    assert "plotly.min.js" in files  # served beside the pages, never from a CDN
    html = (tmp_path / "out" / "roc.html").read_text()
    assert "cdn.plot.ly" not in html


def small_queue():
    """A Queue of two runs on iris: C=1 trains, C=10 raises."""
    from sklearn.datasets import load_iris

    from assay.mlops import Architecture, Experiment, Input, Pipeline, Stratifier, Target, Trainer

    frame = load_iris(as_frame=True).frame
    splitset = Pipeline(Input(frame), Target(frame, column="target"), Stratifier(size_test=0.2))

    def build(features_shape, label_shape, **hp):
        from sklearn.linear_model import LogisticRegression

        return LogisticRegression(C=hp["C"], max_iter=300)

    def train(
        model, loser, optimizer, train_features, train_label, eval_features, eval_label, **hp
    ):
        if hp["C"] > 1:
            raise ValueError("C too large for this demo")
        return model.fit(train_features, train_label.ravel())

    return Experiment(
        Architecture(
            "sklearn", "classification_multi", build, train, hyperparameters={"C": [1, 10]}
        ),
        Trainer(splitset, permute_count=0),
    )


def test_runs_shows_each_runs_status():
    queue = small_queue()
    before = runner.invoke(app, ["runs", str(queue.id)]).output
    assert "0 of 2 runs succeeded, 2 queued" in before
    queue.run_jobs(progress=False)
    after = runner.invoke(app, ["runs", str(queue.id)]).output
    assert "1 of 2 runs succeeded, 1 failed" in after
    assert "ValueError: C too large for this demo" in after
    listing = runner.invoke(app, ["queues"]).output
    assert f"Queue {queue.id:>4}  -  sklearn" in listing and "1/2 runs  (1 failed)" in listing
    missing = runner.invoke(app, ["runs", "999"])
    assert missing.exit_code == 1 and "does not exist" in missing.output


def test_queues_shows_each_queues_name():
    unnamed, named = small_queue(), small_queue()
    named.set_info(name="iris grid")
    listing = runner.invoke(app, ["queues"]).output
    assert f"Queue {unnamed.id:>4}  -          sklearn" in listing
    assert f"Queue {named.id:>4}  iris grid  sklearn" in listing


def test_a_run_whose_process_ended_shows_as_stopped():
    import socket
    import subprocess
    import sys

    from assay.orm import Run

    queue = small_queue()
    ended = subprocess.Popen([sys.executable, "-c", "pass"])
    ended.wait()
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        dead_run, live_run = queue.runs
        for run, process in ((dead_run, ended), (live_run, alive)):
            run.update_columns(status="running", pid=process.pid, host=socket.gethostname())
        output = runner.invoke(app, ["runs", str(queue.id)]).output
        listing = runner.invoke(app, ["queues"]).output
    finally:
        alive.kill()
        alive.wait()
    assert "0 of 2 runs succeeded, 1 running, 1 stopped" in output
    lines = {line.split()[1]: line for line in output.splitlines() if "  run " in line}
    assert f"stopped       0 epochs  process {ended.pid} ended" in lines[str(dead_run.id)]
    assert "running" in lines[str(live_run.id)]
    assert "0/2 runs  (1 running, 1 stopped)" in listing
    assert Run.get_by_id(dead_run.id).status == "running"  # shown, not written
