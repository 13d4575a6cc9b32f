import pytest
from typer.testing import CliRunner

from assay.cli import app
from assay.registry import Registry
from tests.registry.conftest import txt

pytestmark = pytest.mark.usefixtures("test_formats")

runner = CliRunner()


def run(*args, **kwargs):
    return runner.invoke(app, ["registry", *args], **kwargs)


def churn():
    m = Registry().create_model("churn", tags="tabular, prod", description="# Churn\nWho leaves.")
    m.create_version(description="baseline", formats={"txt": txt()}).publish()
    m.create_version()
    return m


def test_models_lists_and_filters():
    assert run("models").output.strip() == "No models in context 'default'."
    churn()
    Registry().create_model("fraud", tags="tabular")
    Registry("team-b").create_model("spam")
    listing = run("models").output
    assert "churn" in listing and "2 versions (1 published)" in listing and "fraud" in listing
    assert "spam" not in listing
    only = run("models", "--tag", "prod").output
    assert "churn" in only and "fraud" not in only
    assert "fraud" in run("models", "--search", "FRA").output
    assert "spam" in run("--context", "team-b", "models").output
    # a filter that matches nothing says so, rather than that there are no models at all
    none = run("models", "--search", "chu", "--tag", "images").output.strip()
    assert none == "No models in context 'default' match --search 'chu' --tag 'images'."


def test_show_gives_details_description_and_versions():
    churn()
    output = run("show", "churn").output
    assert "churn (id 1, context default)" in output
    assert "tags: tabular, prod" in output
    assert "# Churn\nWho leaves." in output
    assert "v1   published  txt (13 bytes)  baseline" in output
    assert "v2   draft      no files" in output


def test_upload_and_download_round_trip(tmp_path):
    churn()
    source = tmp_path / "model.txt"
    source.write_bytes(txt("from the shell"))
    result = run("upload", "churn", "2", "txt", str(source))
    assert result.exit_code == 0, result.output
    assert "uploaded txt to churn v2: 24 bytes, sha256" in result.output
    again = run("upload", "churn", "2", "txt", str(source))
    assert again.exit_code == 1 and "replace_format" in again.output
    source.write_bytes(txt("replaced"))
    assert run("upload", "churn", "2", "txt", str(source), "--replace").exit_code == 0
    result = run("download", "churn", "2", "txt", str(tmp_path / "back.txt"))
    assert result.exit_code == 0 and (tmp_path / "back.txt").read_bytes() == txt("replaced")
    folder = tmp_path / "out"
    folder.mkdir()
    assert run("download", "churn", "1", "txt", str(folder)).output.strip().endswith("churn-v1.txt")


def test_errors_are_one_line_and_exit_1():
    churn()
    for args, message in [
        (("show", "nope"), "no model named 'nope'"),
        (("publish", "churn", "7"), "has no version 7; its versions: 1, 2"),
        (("publish", "churn", "1"), "is published"),
        (("upload", "churn", "2", "onnx2", "x"), "format 'onnx2' is not a known model format"),
    ]:
        result = run(*args)
        assert result.exit_code == 1
        assert message in result.output and "Traceback" not in result.output


def test_publish_then_delete_with_confirmation():
    m = churn()
    assert run("publish", "churn", "2").output.strip() == "published churn v2"
    refused = run("delete", "churn", "2", input="n\n")
    assert refused.exit_code == 1 and "Nothing deleted." in refused.output
    assert "(published: v2)" in refused.output
    assert [v.version for v in m.versions] == [1, 2]
    assert run("delete", "churn", "2", "--yes").output.strip() == "deleted churn v2"
    assert [v.version for v in m.versions] == [1]
    result = run("delete", "churn", input="y\n")
    assert "Delete model 'churn' and its 1 versions (published: v1)?" in result.output
    assert "deleted model churn and 1 versions" in result.output
    assert Registry().models() == []
    assert m.history()[-1].action == "delete"
