"""Checks of what users pass to the registry: names, tags, JSON fields, version numbers.

Pure functions: each returns the value as it will be stored, or raises ``InvalidArgument``
naming the argument, what was given and what is expected, before anything is written.
"""

from __future__ import annotations

import json
from typing import Any

from assay.errors import InvalidArgument

#: The most characters a tag may have (as the model service of the spec allows).
TAG_LENGTH = 32
#: The most characters of a model name, a context name, a user name.
NAME_LENGTH = 255
#: Sort keys of ``Registry.models``.
SORT_KEYS = ("name", "time_created", "time_updated")


def clean_tags(tags: str | list[str] | tuple[str, ...] | None, argument: str = "tags") -> list[str]:
    """Tags as stored: a list of stripped, distinct tags of at most 32 characters, in order.

    Args:
        tags: A comma-separated string (``"tabular, prod"``), a list of str, or None (none).
        argument: The argument's name, for messages.
    """
    if tags is None:
        return []
    if isinstance(tags, str):
        items = tags.split(",")
    elif isinstance(tags, list | tuple):
        items = list(tags)
        for tag in items:
            if not isinstance(tag, str):
                raise InvalidArgument(
                    f"{argument} must hold str; got {type(tag).__name__} {tag!r} in {tags!r}."
                )
            if "," in tag:
                raise InvalidArgument(
                    f"{argument} must not contain a comma inside one tag; got {tag!r}. Pass "
                    "separate tags as list items or as one comma-separated string."
                )
    else:
        raise InvalidArgument(
            f"{argument} must be a comma-separated str or a list of str; "
            f"got {type(tags).__name__} {tags!r}."
        )
    cleaned: list[str] = []
    for tag in (item.strip() for item in items):
        if len(tag) > TAG_LENGTH:
            raise InvalidArgument(
                f"each of {argument} must be at most {TAG_LENGTH} characters; "
                f"the tag {tag!r} has {len(tag)}."
            )
        if tag and tag not in cleaned:
            cleaned.append(tag)
    return cleaned


def clean_name(value: Any, argument: str = "name") -> str:
    """A model or context name: a non-empty str without surrounding spaces or ``/``.

    Names appear in URLs and on command lines, hence no ``/`` and no edge spaces.
    """
    if not isinstance(value, str):
        raise InvalidArgument(f"{argument} must be a str; got {type(value).__name__} {value!r}.")
    if not value.strip() or value != value.strip() or "/" in value:
        raise InvalidArgument(
            f"{argument} must be a non-empty str without surrounding spaces or '/'; got {value!r}."
        )
    if len(value) > NAME_LENGTH:
        raise InvalidArgument(
            f"{argument} must be at most {NAME_LENGTH} characters; got {len(value)}."
        )
    return value


def clean_text(value: Any, argument: str) -> str | None:
    """Free text such as a markdown description: a str, or None for none."""
    if value is not None and not isinstance(value, str):
        raise InvalidArgument(
            f"{argument} must be a str or None; got {type(value).__name__} {value!r}."
        )
    return value or None


def clean_json(value: Any, argument: str) -> Any:
    """A value as JSON stores it (tuples become lists), or an error naming what is not JSON."""
    try:
        return json.loads(json.dumps(value, allow_nan=False))
    except (TypeError, ValueError) as exc:
        raise InvalidArgument(
            f"{argument} must be JSON (dicts, lists, str, finite numbers, bool, None); "
            f"{exc}. Convert the value, e.g. with .tolist() or str()."
        ) from exc


def clean_json_object(value: Any, argument: str) -> dict[str, Any]:
    """A JSON object (a dict with str keys); None gives ``{}``."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InvalidArgument(
            f"{argument} must be a JSON object (a dict); got {type(value).__name__} {value!r}."
        )
    not_str = [key for key in value if not isinstance(key, str)]
    if not_str:
        raise InvalidArgument(f"{argument} must have str keys; got {not_str[0]!r}.")
    return clean_json(value, argument)


def check_number(value: Any, argument: str = "number") -> int:
    """A version number: a positive int."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidArgument(
            f"{argument} must be a positive int (versions count from 1); got {value!r}."
        )
    return value


def check_flag(value: Any, argument: str) -> bool:
    """A True/False argument."""
    if not isinstance(value, bool):
        raise InvalidArgument(f"{argument} must be True or False; got {value!r}.")
    return value


def check_sort(sort_by: Any, ascending: Any) -> tuple[str, bool]:
    """A sort key of the models list and its direction."""
    if sort_by not in SORT_KEYS:
        raise InvalidArgument(f"sort_by must be one of {', '.join(SORT_KEYS)}; got {sort_by!r}.")
    return sort_by, check_flag(ascending, "ascending")
