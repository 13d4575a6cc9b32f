import getpass

import pytest

from assay.errors import InvalidArgument, NotFound
from assay.registry import Model, Registry, acting_as
from tests.registry.conftest import refused

pytestmark = pytest.mark.usefixtures("backend")


def test_a_model_keeps_its_name_tags_description_and_who_made_it():
    description = "# Churn\nWho leaves, and *why*."
    m = Registry().create_model("churn", tags="tabular, prod", description=description)
    again = Registry().model("churn")
    assert isinstance(again, Model)
    assert (again.id, again.name, again.context) == (m.id, "churn", "default")
    assert again.tags == ["tabular", "prod"]
    assert again.description == description  # markdown, stored as text
    assert again.created_by == again.updated_by == getpass.getuser()
    assert again.time_created == m.time_created
    assert Registry().model(m.id).name == "churn"


def test_a_name_is_unique_within_a_context_only():
    Registry().create_model("churn")
    with refused(InvalidArgument, "name 'churn' is taken by model 1 in context 'default'"):
        Registry().create_model("churn")
    other = Registry("team-b").create_model("churn")
    assert other.context == "team-b"
    assert [m.context for m in Registry().models(context="team-b")] == ["team-b"]
    assert [m.id for m in Registry().models()] == [1]


def test_a_missing_model_is_named():
    Registry().create_model("churn")
    with pytest.raises(NotFound, match="no model named 'chrun' in context 'default'"):
        Registry().model("chrun")
    with pytest.raises(NotFound, match="RegisteredModel with id 99 does not exist"):
        Registry().model(99)
    with pytest.raises(NotFound, match="no model named 'churn' in context 'other'"):
        Registry("other").model("churn")


def test_search_by_name_and_by_every_tag():
    reg = Registry()
    reg.create_model("churn", tags="tabular, prod")
    reg.create_model("Churn-eu", tags=["tabular"])
    reg.create_model("fraud", tags="production, a_b")
    reg.create_model("spam", tags="prod, axb")
    assert [m.name for m in reg.models(search="chu")] == ["Churn-eu", "churn"]
    assert [m.name for m in reg.models(search="CHURN-")] == ["Churn-eu"]
    assert [m.name for m in reg.models(tags=["prod"])] == ["churn", "spam"]
    assert [m.name for m in reg.models(tags="prod, tabular")] == ["churn"]
    assert [m.name for m in reg.models(tags=["a_b"])] == ["fraud"]  # no LIKE wildcards
    assert [m.name for m in reg.models(search="%")] == []
    assert [m.name for m in reg.models(search="chu", tags="prod")] == ["churn"]


def test_sorting_models():
    reg = Registry()
    for name in ("b", "a", "c"):
        reg.create_model(name)
    reg.model("b").edit(description="touched last")
    assert [m.name for m in reg.models()] == ["a", "b", "c"]
    assert [m.name for m in reg.models(ascending=False)] == ["c", "b", "a"]
    assert [m.name for m in reg.models(sort_by="time_created")] == ["b", "a", "c"]
    assert reg.models(sort_by="time_updated", ascending=False)[0].name == "b"
    with pytest.raises(InvalidArgument, match="sort_by must be one of"):
        reg.models(sort_by="size")


def test_editing_a_model_is_recorded_with_before_and_after():
    m = Registry().create_model("churn", tags="a", description="old")
    m.edit(description="# New", tags="a, b")
    assert (m.description, m.tags) == ("# New", ["a", "b"])
    entry = m.history()[-1]
    assert entry.action == "edit"
    assert entry.before == {"description": "old", "tags": ["a"]}
    assert entry.after == {"description": "# New", "tags": ["a", "b"]}
    assert Registry().model("churn").description == "# New"


def test_set_info_and_flip_star_go_through_the_audit_log():
    m = Registry().create_model("churn", description="old")
    m.set_info(description="")
    m.flip_star()
    fresh = Registry().model("churn")
    assert (fresh.description, fresh.is_starred) == (None, True)
    assert [e.after for e in m.history()[1:]] == [{"description": None}, {"is_starred": True}]


def test_renaming_to_a_taken_name_is_refused():
    Registry().create_model("churn")
    m = Registry().create_model("fraud")
    with refused(InvalidArgument, "name 'churn' is taken"):
        m.edit(name="churn")
    m.edit(name="fraud-2")
    assert Registry().model("fraud-2").id == m.id


def test_who_acts_can_be_set_for_a_block():
    with acting_as("alice"):
        m = Registry().create_model("churn")
        m.edit(tags="x")
    m.edit(tags="y")
    assert m.created_by == "alice"
    assert [e.user for e in m.history()] == ["alice", "alice", getpass.getuser()]
    assert Registry().model("churn").updated_by == getpass.getuser()
    with pytest.raises(InvalidArgument, match="user must be a non-empty str"):
        acting_as("").__enter__()


def test_bad_arguments_write_nothing():
    Registry().create_model("churn")
    with refused(InvalidArgument, "the tag '"):
        Registry().create_model("other", tags="x" * 40)
    with refused(InvalidArgument, "description must be a str"):
        Registry().create_model("other", description=3)
    with refused(InvalidArgument, "not an editable field of a model"):
        Registry().model("churn").update_columns(context="b")
