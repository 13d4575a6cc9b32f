"""A registry of classes by name: 004's ``sampler_registry`` and ``executor_registry``.

Users extend assay by adding their own subclass under a name (``registry["mine"] = Mine`` or
``@registry.register("mine")``); from then on the name is accepted wherever a built-in one is.
One class serves both registries so that naming, checking and building work the same way.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator, MutableMapping
from typing import Any, Generic, TypeVar

from assay.errors import InvalidArgument

T = TypeVar("T")


class ClassRegistry(MutableMapping[str, type[T]], Generic[T]):
    """Subclasses of ``base`` by name; anything else is refused with InvalidArgument.

    Args:
        base: The class every registered class must extend.
        kind: What the classes are, in messages (``"sampler"``, ``"executor"``).
    """

    def __init__(self, base: type[T], kind: str) -> None:
        self.base = base
        self.kind = kind
        self._classes: dict[str, type[T]] = {}

    def __getitem__(self, name: str) -> type[T]:
        try:
            return self._classes[name]
        except KeyError:
            raise KeyError(
                f"no {self.kind} named {name!r}; known: {sorted(self._classes)}"
            ) from None

    def __setitem__(self, name: str, cls: type[T]) -> None:
        if not isinstance(name, str) or not name:
            raise InvalidArgument(f"a {self.kind}'s name must be a non-empty str; got {name!r}.")
        if not self.is_subclass(cls):
            raise InvalidArgument(
                f"{self.kind}_registry[{name!r}] must be a subclass of "
                f"assay.search.{self.base.__name__}; got {cls!r}."
            )
        self._classes[name] = cls

    def __delitem__(self, name: str) -> None:
        del self._classes[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._classes)

    def __len__(self) -> int:
        return len(self._classes)

    def __repr__(self) -> str:
        return f"ClassRegistry({self.base.__name__}, {self._classes!r})"

    def is_subclass(self, cls: Any) -> bool:
        """Whether ``cls`` is a class that extends this registry's base."""
        return inspect.isclass(cls) and issubclass(cls, self.base)

    def register(self, name: str) -> Callable[[type[T]], type[T]]:
        """A class decorator: ``@registry.register("mine")`` adds the class by name."""

        def add(cls: type[T]) -> type[T]:
            self[name] = cls
            return cls

        return add

    def resolve(self, name_or_class: str | type[T]) -> type[T]:
        """The class registered under a name, or a subclass of the base given as it is.

        Raises:
            InvalidArgument: An unknown name (listing the known ones) or another class.
        """
        if inspect.isclass(name_or_class):
            if not self.is_subclass(name_or_class):
                raise InvalidArgument(
                    f"{self.kind} must be a subclass of {self.base.__name__}; got {name_or_class!r}."
                )
            return name_or_class
        if not isinstance(name_or_class, str) or name_or_class not in self._classes:
            raise InvalidArgument(
                f"{self.kind} must be one of {sorted(self._classes)} (or a "
                f"{self.base.__name__} class or instance); got {name_or_class!r}."
            )
        return self._classes[name_or_class]

    def build(self, cls: type[T], given: str, *args: Any, **options: Any) -> T:
        """``cls(*args, **options)``, once the arguments are known to fit its signature.

        Args:
            cls: The class to build (see ``resolve``).
            given: How to name ``args`` in the message, e.g. ``"goal, parameters"``; empty
                when there are none.
            *args: Its positional arguments.
            **options: Its keyword arguments.

        Raises:
            InvalidArgument: Options the class does not take (listing those it does).
        """
        signature = inspect.signature(cls)
        try:
            signature.bind(*args, **options)
        except TypeError as exc:
            got = f"{given} and options" if given else "options"
            raise InvalidArgument(
                f"{cls.__name__} takes {list(signature.parameters)}; got {got} "
                f"{sorted(options)} ({exc})."
            ) from exc
        return cls(*args, **options)
