"""``Registry(url=, token=)`` against a real Uvicorn server: 002's five SDK steps and the rest
of the registry's methods, on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import pickle

import pytest
from sklearn.linear_model import LogisticRegression

from assay.errors import Frozen, InvalidArgument, NotAuthenticated, NotFound, PermissionDenied
from assay.registry import Registry
from assay.registry.remote import RemoteModel, RemoteVersion
from assay.server.tokens import create_token

pytestmark = pytest.mark.usefixtures("backend")


def test_the_five_sdk_steps_from_another_process_view(live_server, tmp_path):
    token = create_token("ann", "team", "publisher").secret
    fitted = LogisticRegression().fit([[0.0], [1.0], [2.0], [3.0]], [0, 0, 1, 1])
    # 1. a token starts a session; 2. select or create a model; 3. a version;
    # 4. and 5. a format, uploaded
    registry = Registry(url=live_server, token=token)
    m = registry.create_model("churn", tags="tabular", description="# Churn")
    v = m.create_version(hyperparameters={"C": 1.0})
    row = v.add_format("pkl", pickle.dumps(fitted))
    # what the server's metastore now holds, read locally
    local = Registry("team").model("churn").version(1)
    assert (
        local.format("pkl").sha256 == row.sha256 == hashlib.sha256(pickle.dumps(fitted)).hexdigest()
    )
    assert local.created_by == "ann" and local.hyperparameters == {"C": 1.0}
    assert [entry.user for entry in m.history()] == ["ann", "ann", "ann"]
    # the same model, selected again by name and by id
    assert registry.model("churn") == registry.model(m.id) == m
    assert registry.model("churn").version(1).load("pkl").predict([[3.0]]).tolist() == [1]
    assert isinstance(registry, Registry) and registry.context == "team"


def test_versions_files_publish_and_delete_as_locally(live_server, tmp_path):
    token = create_token("ann", "default", "admin").secret
    registry = Registry(url=live_server, token=token)
    m = registry.create_model("spam")
    first = m.create_version(description="one", formats={"pkl": pickle.dumps([1])})
    assert [f.format_id for f in first.formats] == ["pkl"]
    second = m.create_version(description="two")
    path = tmp_path / "model.pkl"
    path.write_bytes(pickle.dumps([2]))
    second.add_format("pkl", path)
    assert second.format("pkl").filename == "model.pkl"
    assert second.download("pkl") == pickle.dumps([2])
    written = second.download("pkl", tmp_path)
    assert written == tmp_path / "spam-v2.pkl" and written.read_bytes() == pickle.dumps([2])
    second.replace_format("pkl", pickle.dumps([3]))
    assert second.download("pkl") == pickle.dumps([3])
    second.edit(description="two, edited", tags="a, b")
    assert (second.description, second.tags) == ("two, edited", ["a", "b"])
    second.publish()
    assert second.is_published and m.latest(published=True).version == 2
    with pytest.raises(Frozen, match="is published"):
        second.edit(description="again")
    with pytest.raises(Frozen):
        second.delete()
    first.delete()
    third = m.create_version()
    assert [v.version for v in m.versions] == [2, 3]  # numbers are never reused
    assert third.version == 3 and m.version(2).description == "two, edited"
    assert m.edit(description="renamed").description == "renamed"
    assert [x.name for x in registry.models(search="SP")] == ["spam"]
    assert m.delete(force=True)["ModelVersion"] == 2
    assert registry.models() == []


def test_refusals_raise_the_errors_of_the_local_registry(live_server):
    viewer = Registry(url=live_server, token=create_token("val", "default", "viewer").secret)
    editor = Registry(url=live_server, token=create_token("ed", "default", "editor").secret)
    other = Registry(url=live_server, token=create_token("olga", "other", "admin").secret)
    m = editor.create_model("churn")
    with pytest.raises(PermissionDenied, match="model:edit"):
        viewer.create_model("fraud")
    with pytest.raises(PermissionDenied, match="model:publish"):
        m.create_version().publish()
    with pytest.raises(NotFound, match="no model named 'churn' in context 'other'"):
        other.model("churn")
    with pytest.raises(NotFound):
        other.model(m.id)
    with pytest.raises(InvalidArgument, match="name 'churn' is taken"):
        editor.create_model("churn")
    with pytest.raises(InvalidArgument, match="is not a known model format"):
        m.version(1).add_format("docx", b"x")
    with pytest.raises(InvalidArgument, match="is not a pickle"):
        m.version(1).add_format("pkl", b"not a pickle")
    with pytest.raises(NotAuthenticated, match="unknown"):
        Registry(url=live_server, token="assay_nope")
    with pytest.raises(InvalidArgument, match="context must be the token's context"):
        Registry("elsewhere", url=live_server, token=create_token("x", "default").secret)


def test_remote_rows_have_the_methods_of_local_rows():
    from assay.registry import ModelVersion, RegisteredModel

    def public(cls: type) -> set[str]:
        return {name for name in dir(cls) if not name.startswith("_")}

    shared = {"versions", "create_version", "version", "latest", "history", "edit", "delete"}
    assert shared <= public(RegisteredModel) & public(RemoteModel)
    shared = {
        "model", "formats", "format", "edit", "add_format", "replace_format", "download",
        "delete_format", "publish", "delete", "load", "predict", "history", "lineage",
    }  # fmt: skip
    assert shared <= public(ModelVersion) & public(RemoteVersion)
