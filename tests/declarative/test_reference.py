"""docs/configuration.md lists every key with its default, generated from the code."""

from assay.declarative import reference


def test_the_configuration_page_matches_the_code():
    page = reference.PAGE.read_text()
    assert reference.BEGIN in page and reference.END in page
    assert page == reference.page_with_reference(page), (
        "docs/configuration.md is out of date: run python -m assay.declarative.reference --write"
    )


def test_the_reference_names_every_registered_thing_and_section():
    from assay.declarative.config import registries

    text = reference.reference()
    for registry in registries().values():
        for name in registry:
            assert f"### `{name}`" in text
    for section in ("trainer", "splits", "hyperopt"):
        assert f"## `{section}`" in text
    assert "| `epochs` | `20` | int |" in text
