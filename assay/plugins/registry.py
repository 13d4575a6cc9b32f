"""Registries by name that installed packages extend through entry points (004's registries).

``Registry`` holds entries by name and records where each came from: a module of assay (a
built-in), another module that registered it at run time, or an installed distribution that
declares it in an entry-point group (``assay.samplers``, ``assay.libraries``, ...). Entry points
are read lazily, the first time a registry is looked into, so that registering and importing
assay import no plug-in. A plug-in that fails to load, or that takes a name already taken,
only warns: a broken package must not stop assay from working; ``failures`` keeps why.

Two kinds: ``ClassRegistry`` holds classes that extend a base (samplers, executors,
integrations, encoders...); ``InstanceRegistry`` holds objects of a base, each under its own
name (model library adapters, model formats).
"""

from __future__ import annotations

import inspect
import warnings
from collections.abc import Callable, Iterator, MutableMapping
from dataclasses import dataclass
from importlib import metadata
from typing import Any, Generic, TypeVar

from assay.errors import InvalidArgument

T = TypeVar("T")
V = TypeVar("V")

#: Where an entry came from (``Origin.kind``).
BUILT_IN, PLUG_IN, REGISTERED = "built-in", "plug-in", "registered"


@dataclass(frozen=True)
class Origin:
    """Where a registry entry came from.

    Attributes:
        kind: ``"built-in"`` (a module of assay), ``"plug-in"`` (an entry point of an
            installed distribution) or ``"registered"`` (another module, at run time).
        where: The module, or ``"<distribution> <version> (<module:object>)"``.
    """

    kind: str
    where: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.where}"


class PluginWarning(UserWarning):
    """A plug-in could not be loaded, or took a name that was taken; assay goes on without it."""


class Registry(MutableMapping[str, V], Generic[V]):
    """Entries by name, checked as they are added, extended by an entry-point group.

    Args:
        kind: What the entries are, in messages (``"sampler"``, ``"library"``).
        group: The entry-point group installed packages extend it through
            (``"assay.samplers"``); None for a registry that takes no plug-ins.
    """

    def __init__(self, kind: str, group: str | None = None) -> None:
        self.kind = kind
        self.group = group
        self._entries: dict[str, V] = {}
        self._origins: dict[str, Origin] = {}
        self._plugins_read = group is None
        #: Entry points that did not load: ``{name: why}``.
        self.failures: dict[str, str] = {}

    # -- what subclasses decide ----------------------------------------------------------------

    def check(self, name: str, value: Any) -> V:
        """``value`` as it is stored under ``name``, or InvalidArgument; subclasses refine."""
        return value

    def from_entry_point(self, name: str, loaded: Any) -> V:
        """What an entry point's loaded object becomes in this registry (checked by ``check``)."""
        return loaded

    def describe(self, value: V) -> str:
        """One line naming an entry, for listings (its class's qualified name)."""
        cls = value if inspect.isclass(value) else type(value)
        return f"{cls.__module__}.{cls.__qualname__}"

    # -- the mapping ---------------------------------------------------------------------------

    def __getitem__(self, name: str) -> V:
        self.load_plugins()
        try:
            return self._entries[name]
        except (KeyError, TypeError):
            raise KeyError(f"no {self.kind} named {name!r}; known: {self.names()}") from None

    def __setitem__(self, name: str, value: V) -> None:
        self.add(name, value, origin_of(value))

    def __delitem__(self, name: str) -> None:
        del self._entries[name]
        self._origins.pop(name, None)

    def __iter__(self) -> Iterator[str]:
        self.load_plugins()
        return iter(list(self._entries))

    def __len__(self) -> int:
        self.load_plugins()
        return len(self._entries)

    def __contains__(self, name: object) -> bool:
        self.load_plugins()
        return isinstance(name, str) and name in self._entries

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.kind!r}, {sorted(self._entries)})"

    def add(self, name: str, value: Any, origin: Origin) -> None:
        """Store ``value`` under ``name`` (checked), recording where it came from.

        Raises:
            InvalidArgument: An empty or non-str name, or a value this registry refuses.
        """
        if not isinstance(name, str) or not name:
            raise InvalidArgument(f"a {self.kind}'s name must be a non-empty str; got {name!r}.")
        self._entries[name] = self.check(name, value)
        self._origins[name] = origin

    def names(self) -> list[str]:
        """The registered names, sorted."""
        self.load_plugins()
        return sorted(self._entries)

    def origin(self, name: str) -> Origin:
        """Where the entry ``name`` came from.

        Raises:
            InvalidArgument: An unknown name (listing the known ones).
        """
        self.load_plugins()
        if name not in self._origins:
            raise InvalidArgument(f"{self.kind} must be one of {self.names()}; got {name!r}.")
        return self._origins[name]

    # -- plug-ins ------------------------------------------------------------------------------

    def load_plugins(self) -> None:
        """Add the entries installed packages declare in ``group`` (once per process).

        A plug-in whose name is taken, or that fails to import or to pass ``check``, is left
        out with a ``PluginWarning``; ``failures`` says why.
        """
        if self._plugins_read:
            return
        self._plugins_read = True  # first: a plug-in's module may register into this registry
        for entry_point in metadata.entry_points(group=self.group):
            self._add_entry_point(entry_point)

    def reload_plugins(self) -> None:
        """Forget the plug-ins' entries and read the entry points again (after installing one)."""
        for name in [n for n, origin in self._origins.items() if origin.kind == PLUG_IN]:
            del self[name]
        self.failures.clear()
        self._plugins_read = self.group is None
        self.load_plugins()

    def _add_entry_point(self, entry_point: metadata.EntryPoint) -> None:
        name = entry_point.name
        distribution = getattr(entry_point, "dist", None)
        where = f"{entry_point.value}"
        if distribution is not None:
            where = f"{distribution.name} {distribution.version} ({entry_point.value})"
        if name in self._entries:
            self._fail(
                name,
                f"{where} declares {self.kind} {name!r}, which is taken by "
                f"{self._origins[name]}; it is left out",
            )
            return
        try:
            value = self.from_entry_point(name, entry_point.load())
            self.add(name, value, Origin(PLUG_IN, where))
        except Exception as exc:  # a broken plug-in must not break assay
            self._fail(
                name, f"{where} failed to load as {self.kind} {name!r}: {type(exc).__name__}: {exc}"
            )

    def _fail(self, name: str, why: str) -> None:
        self.failures[name] = why
        warnings.warn(f"entry point group {self.group!r}: {why}", PluginWarning, stacklevel=3)


def origin_of(value: Any) -> Origin:
    """Where an entry added in code comes from: its class's module, inside assay or not."""
    module = (value if inspect.isclass(value) else type(value)).__module__
    return Origin(BUILT_IN if module.split(".")[0] == "assay" else REGISTERED, module)


class ClassRegistry(Registry[type[T]], Generic[T]):
    """Subclasses of ``base`` by name; anything else is refused with InvalidArgument.

    Users add their own subclass under a name (``registry["mine"] = Mine``,
    ``@registry.register("mine")``, or an entry point in ``group``); from then on the name is
    accepted wherever a built-in one is.

    Args:
        base: The class every registered class must extend.
        kind: What the classes are, in messages (``"sampler"``, ``"executor"``).
        group: The entry-point group of plug-ins, e.g. ``"assay.samplers"``.
    """

    def __init__(self, base: type[T], kind: str, group: str | None = None) -> None:
        super().__init__(kind, group)
        self.base = base

    def check(self, name: str, value: Any) -> type[T]:
        """The class itself, if it extends the base."""
        if not self.is_subclass(value):
            raise InvalidArgument(
                f"{self.kind}_registry[{name!r}] must be a subclass of "
                f"{self.base.__module__}.{self.base.__qualname__}; got {value!r}."
            )
        return value

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
        if not isinstance(name_or_class, str) or name_or_class not in self:
            raise InvalidArgument(
                f"{self.kind} must be one of {self.names()} (or a "
                f"{self.base.__name__} class or instance); got {name_or_class!r}."
            )
        return self._entries[name_or_class]

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


class InstanceRegistry(Registry[T], Generic[T]):
    """Objects of ``base``, each under the name its ``key`` attribute holds.

    An entry point may name such an object or its class (built with no arguments); its name
    must be the object's own.

    Args:
        base: The class every entry is an instance of.
        kind: What the entries are, in messages (``"library"``, ``"format"``).
        key: The attribute that holds an entry's name (``"name"``, ``"id"``).
        group: The entry-point group of plug-ins, e.g. ``"assay.libraries"``.
    """

    def __init__(self, base: type[T], kind: str, key: str, group: str | None = None) -> None:
        super().__init__(kind, group)
        self.base = base
        self.key = key

    def check(self, name: str, value: Any) -> T:
        """The object itself, if it is an instance of the base named ``name``."""
        if not isinstance(value, self.base):
            raise InvalidArgument(
                f"a {self.kind} must be an instance of "
                f"{self.base.__module__}.{self.base.__qualname__}; got {value!r}."
            )
        own = getattr(value, self.key, None)
        if own != name:
            raise InvalidArgument(
                f"a {self.kind} is registered under its own {self.key} ({own!r}); got the "
                f"name {name!r}."
            )
        return value

    def from_entry_point(self, name: str, loaded: Any) -> T:
        """An instance, or a subclass of the base built with no arguments."""
        if inspect.isclass(loaded) and issubclass(loaded, self.base):
            return loaded()
        return loaded

    def put(self, value: T) -> T:
        """Register ``value`` under its own name; returns it.

        Raises:
            InvalidArgument: Not an instance of the base, or no name.
        """
        name = getattr(value, self.key, None)
        if not isinstance(name, str) or not name:
            raise InvalidArgument(
                f"a {self.kind} must be an instance of {self.base.__name__} with a non-empty "
                f"{self.key}; got {value!r}."
            )
        self[name] = value
        return value
