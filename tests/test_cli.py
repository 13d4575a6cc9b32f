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
