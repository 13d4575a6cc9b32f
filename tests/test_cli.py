from typer.testing import CliRunner

from assay.cli import app
from assay.demo import register_sklearn_datasets

runner = CliRunner()


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
    files = {path.name for path in (tmp_path / "out").iterdir()}
    assert {"metrics.csv", "performance.html", "roc.html", "feature_importance.html"} <= files
    assert "plotly.min.js" in files  # served beside the pages, never from a CDN
    html = (tmp_path / "out" / "roc.html").read_text()
    assert "cdn.plot.ly" not in html
