"""The parameters a configuration section takes, read from the class that uses them.

004 asks that every encoder and decoder take its parameters "as arguments in the
constructor with their default values set". That constructor is then the one source of
truth: ``parameters_of`` reads each keyword's default and type annotation from the
signature and its description from the class docstring's ``Args:`` section, so validation,
defaults and ``docs/configuration.md`` all come from the same place and cannot drift.
"""

from __future__ import annotations

import ast
import inspect
import re
from dataclasses import dataclass
from typing import Any

from assay.errors import InvalidArgument

#: Annotation names and the Python types they accept (an int is a valid float).
SIMPLE_TYPES: dict[str, tuple[type, ...]] = {
    "int": (int,),
    "float": (int, float),
    "bool": (bool,),
    "str": (str,),
    "None": (type(None),),
    "dict": (dict,),
    "list": (list,),
}


@dataclass(frozen=True)
class Parameter:
    """One configurable parameter: its name, default, annotation text and description."""

    name: str
    default: Any
    annotation: str
    doc: str
    required: bool = False

    def check(self, value: Any, where: str) -> Any:
        """The value, if its type fits the annotation.

        Raises:
            InvalidArgument: ``"<where>: must be <annotation>; got <value>"``.
        """
        if not fits(value, self.annotation):
            raise InvalidArgument(f"{where}: must be {self.annotation}; got {value!r}.")
        return value


def parameters_of(cls: type, skip: int = 0) -> list[Parameter]:
    """The configurable parameters of ``cls``'s constructor, in order.

    Args:
        cls: A class whose constructor takes its parameters with defaults, documented in the
            class docstring's ``Args:`` section.
        skip: How many leading parameters are supplied by assay, not by a configuration
            (an encoder's input shape and feature metadata).

    Raises:
        TypeError: A parameter without a description (a programming error, caught by the
            tests of every registered class).
    """
    docs = argument_docs(inspect.getdoc(cls) or "")
    found = []
    listed = [
        p
        for p in inspect.signature(cls).parameters.values()
        if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
    ]
    for parameter in listed[skip:]:
        if parameter.name not in docs:
            raise TypeError(f"{cls.__name__}: parameter {parameter.name!r} has no Args: entry.")
        required = parameter.default is inspect.Parameter.empty
        found.append(
            Parameter(
                name=parameter.name,
                default=None if required else parameter.default,
                annotation=annotation_text(parameter.annotation),
                doc=docs[parameter.name],
                required=required,
            )
        )
    return found


def annotation_text(annotation: Any) -> str:
    """An annotation as text (annotations are strings under ``from __future__``)."""
    if annotation is inspect.Parameter.empty:
        return "Any"
    return annotation if isinstance(annotation, str) else getattr(annotation, "__name__", "Any")


def argument_docs(docstring: str) -> dict[str, str]:
    """The ``Args:`` entries of a Google-style docstring: ``{name: description}``."""
    docs: dict[str, str] = {}
    inside, current = False, None
    for line in docstring.splitlines():
        if line.strip() in ("Args:", "Attributes:"):
            inside = True
            continue
        if not inside:
            continue
        if line and not line.startswith(" "):
            inside = False
            continue
        entry = re.match(r"^ {4}(\*{0,2}\w+)(?: \([^)]*\))?: (.*)$", line)
        if entry:
            current = entry.group(1).lstrip("*")
            docs[current] = entry.group(2).strip()
        elif current and line.strip():
            docs[current] += " " + line.strip()
    return docs


def fits(value: Any, annotation: str) -> bool:
    """Whether ``value`` is of the annotation's type: ``int``, ``float | None``, ``Literal[...]``."""
    for option in split_union(annotation):
        if option == "Any":
            return True
        literal = re.fullmatch(r"Literal\[(.*)\]", option)
        if literal:
            choices = ast.literal_eval(f"[{literal.group(1)}]")
            if any(value == choice and type(value) is type(choice) for choice in choices):
                return True
            continue
        base = option.split("[", 1)[0]
        types = SIMPLE_TYPES.get(base)
        if types is None:
            continue
        if isinstance(value, bool) and bool not in types:
            continue  # True is an int to Python, not to a configuration
        if isinstance(value, types):
            return True
    return False


def split_union(annotation: str) -> list[str]:
    """``"int | Literal['a', 'b'] | None"`` as its options, brackets kept whole."""
    options, depth, current = [], 0, ""
    for char in annotation:
        depth += char == "["
        depth -= char == "]"
        if char == "|" and depth == 0:
            options.append(current.strip())
            current = ""
        else:
            current += char
    options.append(current.strip())
    return options


def choices_of(annotation: str) -> list[Any]:
    """The values a ``Literal[...]`` annotation allows (empty when it is not one)."""
    values: list[Any] = []
    for option in split_union(annotation):
        literal = re.fullmatch(r"Literal\[(.*)\]", option)
        if literal:
            values.extend(ast.literal_eval(f"[{literal.group(1)}]"))
    return values
