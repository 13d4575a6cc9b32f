import pandas as pd
import pytest

from assay.errors import Frozen, InvalidArgument, NotFound
from assay.orm import Dataset
from assay.registry import ModelVersion, RegisteredModel, Registry
from assay.registry.versions import MAX_VERSIONS
from tests.registry.conftest import refused, txt

pytestmark = pytest.mark.usefixtures("backend", "test_formats")


def numbers(model):
    return [v.version for v in model.versions]


def test_numbers_are_never_reused():
    m = Registry().create_model("churn")
    for _ in range(3):
        m.create_version()
    m.version(2).delete()
    assert numbers(m) == [1, 3]
    assert m.create_version().version == 4
    m.version(4).delete()  # the latest
    assert m.create_version().version == 5
    assert numbers(m) == [1, 3, 5]


def test_the_31st_live_version_is_refused_until_one_is_deleted():
    m = Registry().create_model("churn")
    for _ in range(MAX_VERSIONS):
        m.create_version()
    with refused(InvalidArgument, "has 30 versions, the most a model keeps .30.; delete one"):
        m.create_version(description="one too many")
    m.version(7).delete()
    assert m.create_version().version == 31
    assert len(m.versions) == MAX_VERSIONS


def test_a_version_keeps_its_settings_and_records(tmp_path):
    frame = pd.DataFrame({"x": [1, 2, 3], "y": [0, 1, 0]})
    dataset = Dataset.Tabular.from_df(frame, name="customers")
    m = Registry().create_model("churn")
    v = m.create_version(
        description="first *try*",
        tags="baseline, lr",
        hyperparameters={"C": 1.0, "layers": (4, 2)},
        config={"threshold": 0.4},
        records=[dataset.id, "s3://bucket/external.csv"],
    )
    fresh = m.version(1)
    assert fresh.id == v.id
    assert fresh.description == "first *try*"
    assert fresh.tags == ["baseline", "lr"]
    assert fresh.hyperparameters == {"C": 1.0, "layers": [4, 2]}
    assert fresh.config == {"threshold": 0.4}
    assert fresh.records == [
        {
            "dataset_id": dataset.id,
            "name": "customers",
            "version": dataset.version,
            "sha256": dataset.sha256_hexdigest,
        },
        {"reference": "s3://bucket/external.csv"},
    ]
    assert fresh.model.id == m.id
    assert not fresh.is_published


def test_bad_version_arguments_write_nothing():
    m = Registry().create_model("churn")
    m.create_version()
    with refused(InvalidArgument, "config must be a JSON object"):
        m.create_version(config=[1])
    with refused(InvalidArgument, "hyperparameters must be JSON"):
        m.create_version(hyperparameters={"f": print})
    with refused(NotFound, r"records\[1\]: Dataset with id 42 does not exist"):
        m.create_version(records=["ref", 42])
    with refused(InvalidArgument, "format 'nope' is not a known model format; known: .*txt"):
        m.create_version(formats={"nope": b"x"})
    with refused(InvalidArgument, "is empty"):  # the txt file filed first goes again
        m.create_version(formats={"txt": txt("filed first"), "blob": b""})
    with refused(NotFound, "RegisteredModel with id 9 does not exist"):
        RegisteredModel.create_version(9)


def test_finding_versions():
    m = Registry().create_model("churn")
    for _ in range(3):
        m.create_version()
    m.version(2).publish()
    m.version(3).delete()
    assert m.latest().version == 2
    assert m.latest(published=True).version == 2
    assert m.latest(published=False).version == 1
    with pytest.raises(NotFound, match="model 'churn' has no version 3; its versions: 1, 2"):
        m.version(3)
    with pytest.raises(InvalidArgument, match="number must be a positive int"):
        m.version("2")
    empty = Registry().create_model("empty")
    with pytest.raises(NotFound, match="model 'empty' has no published versions"):
        empty.latest(published=True)


def test_editing_a_version_until_it_is_published():
    v = Registry().create_model("churn").create_version(config={"a": 1})
    v.edit(description="better", config={"a": 2}, tags=["x"])
    assert (v.description, v.config, v.tags) == ("better", {"a": 2}, ["x"])
    entry = v.history()[-1]
    assert (entry.action, entry.before, entry.after) == (
        "edit",
        {"description": None, "tags": [], "config": {"a": 1}},
        {"description": "better", "tags": ["x"], "config": {"a": 2}},
    )
    v.publish()
    assert v.is_published and v.published_by and v.time_published
    with refused(Frozen, "model 'churn' version 1 is published, so it and its formats cannot"):
        v.edit(description="again")
    with refused(Frozen, "is published"):
        v.flip_star()
    with refused(Frozen, "is published"):
        v.publish()


def test_a_published_version_and_its_files_are_frozen():
    v = Registry().create_model("churn").create_version(formats={"txt": txt()})
    v.publish()
    with refused(Frozen, "is published"):
        v.add_format("blob", b"data")
    with refused(Frozen, "is published"):
        v.replace_format("txt", txt("no"))
    with refused(Frozen, "is published"):
        v.delete_format("txt")
    with refused(Frozen, r"is published; delete\(force=True\) deletes it anyway"):
        v.delete()
    with refused(Frozen, r"has published versions \(1\); delete\(force=True\)"):
        v.model.delete()
    assert v.download("txt") == txt()


def test_deleting_a_published_version_needs_force_and_is_recorded():
    m = Registry().create_model("churn")
    v = m.create_version(formats={"txt": txt()})
    v.publish()
    assert v.delete(force=True) == {"ModelVersion": 1, "VersionFormat": 1}
    entry = m.history()[-1]
    assert (entry.action, entry.version, entry.forced) == ("delete", 1, True)
    assert entry.before["formats"][0]["format_id"] == "txt"
    assert m.versions == []


def test_every_call_works_by_id():
    m = Registry().create_model("churn")
    v = RegisteredModel.create_version(m.id, config={"a": 1})
    ModelVersion.add_format(v.id, "txt", txt())
    ModelVersion.edit(v.id, description="by id")
    ModelVersion.publish(v.id)
    assert ModelVersion.download(v.id, "txt") == txt()
    assert RegisteredModel.version(m.id, 1).is_published
    assert RegisteredModel.latest(m.id).description == "by id"
    assert [e.action for e in RegisteredModel.history(m.id)] == [
        "create",
        "create",
        "upload",
        "edit",
        "publish",
    ]
    ModelVersion.delete(v.id, force=True)
    RegisteredModel.delete(m.id)
    assert Registry().models() == []


def test_deleting_a_model_deletes_its_versions_and_keeps_its_history():
    m = Registry().create_model("churn")
    m.create_version(formats={"txt": txt()})
    m.create_version().publish()
    counts = m.delete(force=True)
    assert counts == {"RegisteredModel": 1, "ModelVersion": 2, "VersionFormat": 1}
    with pytest.raises(NotFound):
        Registry().model("churn")
    actions = [(e.action, e.version, e.forced) for e in m.history()]
    assert actions[-3:] == [("delete", 1, False), ("delete", 2, True), ("delete", None, False)]
