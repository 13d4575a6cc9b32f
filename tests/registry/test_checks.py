import pytest

from assay.errors import InvalidArgument
from assay.registry.checks import (
    check_number,
    check_sort,
    clean_json,
    clean_json_object,
    clean_name,
    clean_tags,
)


def test_tags_from_a_comma_separated_string_are_stripped_and_distinct():
    assert clean_tags(" tabular, prod ,,tabular") == ["tabular", "prod"]


def test_tags_from_a_list_keep_their_order():
    assert clean_tags(["b", " a", "b "]) == ["b", "a"]
    assert clean_tags(None) == []


def test_a_tag_of_33_characters_is_refused_by_name():
    long = "x" * 33
    with pytest.raises(InvalidArgument, match=f"at most 32 characters; the tag '{long}' has 33"):
        clean_tags(f"ok, {long}")
    assert clean_tags(["y" * 32]) == ["y" * 32]


@pytest.mark.parametrize("tags", [3, [1], ["a,b"], {"a"}])
def test_tags_of_other_shapes_are_refused(tags):
    with pytest.raises(InvalidArgument, match="tags"):
        clean_tags(tags)


@pytest.mark.parametrize("name", ["", " churn", "churn ", "a/b", 3, None, "x" * 256])
def test_bad_names(name):
    with pytest.raises(InvalidArgument, match="name"):
        clean_name(name)


def test_json_values_are_normalised_and_nan_is_refused():
    assert clean_json({"a": (1, 2)}, "hyperparameters") == {"a": [1, 2]}
    with pytest.raises(InvalidArgument, match="hyperparameters must be JSON"):
        clean_json({"a": float("nan")}, "hyperparameters")
    with pytest.raises(InvalidArgument, match="hyperparameters must be JSON"):
        clean_json({"a": object()}, "hyperparameters")


def test_config_must_be_a_json_object():
    assert clean_json_object(None, "config") == {}
    with pytest.raises(InvalidArgument, match="config must be a JSON object"):
        clean_json_object([1, 2], "config")
    with pytest.raises(InvalidArgument, match="config must have str keys"):
        clean_json_object({1: "a"}, "config")


def test_numbers_and_sort_keys():
    assert check_number(3) == 3
    for bad in (0, -1, True, "3"):
        with pytest.raises(InvalidArgument, match="positive int"):
            check_number(bad)
    assert check_sort("time_updated", False) == ("time_updated", False)
    with pytest.raises(InvalidArgument, match="sort_by must be one of name, time_created"):
        check_sort("size", True)
