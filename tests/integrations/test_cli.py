"""``--integration`` and ``--integration-option`` on the commands: parsed, or refused in one line."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from assay.cli import app
from assay.errors import InvalidArgument
from assay.integrations import Integration, current, integration_registry
from assay.integrations.cli import parse_options, switched_on


def test_options_are_read_per_integration_as_json_where_they_parse():
    assert parse_options(["mlflow.tracking_uri=sqlite:///m.db", "mlflow.log_model=false"]) == {
        "mlflow": {"tracking_uri": "sqlite:///m.db", "log_model": False}
    }
    assert parse_options(["tensorboard.log_dir=runs", "x.n=3"]) == {
        "tensorboard": {"log_dir": "runs"},
        "x": {"n": 3},
    }
    for bad in ["mlflow", "mlflow=1", ".uri=1", "mlflow.=1"]:
        with pytest.raises(InvalidArgument, match=r"NAME\.KEY=VALUE"):
            parse_options([bad])


class Folder(Integration):
    def __init__(self, log_dir: str = "logs", every: int = 1) -> None:
        self.log_dir, self.every = log_dir, every


def test_switched_on_builds_the_named_integrations_and_refuses_stray_options(monkeypatch):
    monkeypatch.setitem(integration_registry, "folder", Folder)
    with switched_on(["folder"], ["folder.log_dir=runs", "folder.every=5"]) as active:
        (folder,) = active
        assert (folder.log_dir, folder.every) == ("runs", 5)
        assert current() is active
    with switched_on(None, None) as none:
        assert len(none) == 0
    with pytest.raises(InvalidArgument, match="no --integration"), switched_on(None, ["a.b=1"]):
        pass


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--integration", "nope"], "integration must be one of ['mlflow', 'tensorboard']"),
        (["--integration-option", "mlflow"], "--integration-option must be NAME.KEY=VALUE"),
        (
            ["--integration", "mlflow", "--integration-option", "mlflow.colour=1"],
            "MlflowIntegration takes ['tracking_uri', 'experiment_name', 'log_model']",
        ),
    ],
)
def test_the_demo_refuses_bad_integrations_in_one_line_before_it_runs(arguments, message):
    result = CliRunner().invoke(app, ["demo", *arguments])
    assert result.exit_code == 1
    assert result.output.startswith("Error: ") and message in result.output
    assert "Traceback" not in result.output
    assert "Registering" not in result.output  # nothing ran
