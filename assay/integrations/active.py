"""The integrations switched on in this process, and how assay's code reaches them.

``load_integrations(["mlflow"], ...)`` builds them by name; ``with integrations.active():``
makes them the process's current ones, so that every run trained inside the block reports
to them (``assay.search.executors.run`` asks ``current()``). Worker processes started inside
the block (the ``parallel`` executor) inherit them through ``ASSAY_INTEGRATIONS``, a JSON list
of names and options in their environment. When none is active, ``current()`` is one lookup.
"""

from __future__ import annotations

import json
import os
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from assay.errors import InvalidArgument
from assay.integrations.base import HOOKS, Integration

#: The environment variable that hands the active integrations to worker processes.
ENVIRONMENT = "ASSAY_INTEGRATIONS"


class IntegrationWarning(RuntimeWarning):
    """An integration's hook raised; assay went on (a run is not failed by its reporting)."""


class Integrations:
    """Integrations built by name, called together.

    Args:
        integrations: The built integrations, in the order they were asked for.
        spec: ``[(name, options)]`` they were built from, so that a worker process can
            build them again (options must then be JSON values).
    """

    def __init__(
        self, integrations: list[Integration], spec: list[tuple[str, dict[str, Any]]]
    ) -> None:
        self.integrations = list(integrations)
        self.spec = list(spec)

    def __iter__(self) -> Iterator[Integration]:
        return iter(self.integrations)

    def __len__(self) -> int:
        return len(self.integrations)

    def __repr__(self) -> str:
        return f"Integrations({[name for name, _ in self.spec]})"

    def call(self, hook: str, **kwargs: Any) -> None:
        """Call ``hook(**kwargs)`` on each integration; one that raises only warns.

        Raises:
            InvalidArgument: A hook that is not one of ``HOOKS``.
        """
        if hook not in HOOKS:
            raise InvalidArgument(f"hook must be one of {list(HOOKS)}; got {hook!r}.")
        for integration in self.integrations:
            try:
                getattr(integration, hook)(**kwargs)
            except Exception as exc:
                warnings.warn(
                    f"integration {integration.name!r} failed in {hook}: "
                    f"{type(exc).__name__}: {exc}",
                    IntegrationWarning,
                    stacklevel=2,
                )

    def close(self) -> None:
        """Close each integration (flushes what it buffered)."""
        for integration in self.integrations:
            try:
                integration.close()
            except Exception as exc:
                warnings.warn(
                    f"integration {integration.name!r} failed to close: {exc}",
                    IntegrationWarning,
                    stacklevel=2,
                )

    @contextmanager
    def active(self) -> Iterator[Integrations]:
        """Make these the process's current integrations for a block; closes them at its end.

        Worker processes started in the block get them too (see ``ENVIRONMENT``), when their
        options are JSON values.
        """
        global _current
        previous, previous_environment = _current, os.environ.get(ENVIRONMENT)
        _current = self
        encoded = _encode(self.spec)
        if encoded is not None:
            os.environ[ENVIRONMENT] = encoded
        try:
            yield self
        finally:
            _current = previous
            if previous_environment is None:
                os.environ.pop(ENVIRONMENT, None)
            else:
                os.environ[ENVIRONMENT] = previous_environment
            self.close()


_current: Integrations | None = None
#: Integrations a worker built from its environment: (the variable's value, them).
_inherited: tuple[str, Integrations] | None = None


def current() -> Integrations | None:
    """The active integrations of this process, or None (the common case, and cheap)."""
    if _current is not None:
        return _current
    encoded = os.environ.get(ENVIRONMENT)
    if not encoded:
        return None
    return _from_environment(encoded)


def call(hook: str, **kwargs: Any) -> None:
    """``current().call(hook, **kwargs)`` when integrations are active; nothing otherwise."""
    integrations = current()
    if integrations is not None:
        integrations.call(hook, **kwargs)


def load_integrations(
    names: list[str], options: dict[str, dict[str, Any]] | None = None, **shared: Any
) -> Integrations:
    """Build integrations by their registered names (``--integration NAME``).

    Each class's ``import_call(sys.argv)`` runs first, then the class is built with its
    options: ``options[name]`` and the ``shared`` keyword arguments it takes (an option one
    integration does not take is not passed to it).

    Args:
        names: Names in ``integration_registry``, e.g. ``["mlflow", "tensorboard"]``.
        options: Each integration's own options by name, e.g.
            ``{"mlflow": {"tracking_uri": "file:///tmp/mlruns"}}``.
        **shared: Options offered to every integration (e.g. ``experiment_name``).

    Raises:
        InvalidArgument: An unknown name (listing the registered ones), a repeated name,
            options for an integration not asked for, or options an integration refuses.
    """
    import inspect

    from assay.integrations import integration_registry

    if isinstance(names, str) or not all(isinstance(name, str) for name in names):
        raise InvalidArgument(f"names must be a list of integration names; got {names!r}.")
    options = dict(options or {})
    unknown = [name for name in names if name not in integration_registry]
    if unknown:
        raise InvalidArgument(
            f"integration must be one of {integration_registry.names()}; got {unknown[0]!r}."
        )
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise InvalidArgument(f"integration {repeated[0]!r} is asked for more than once.")
    stray = sorted(set(options) - set(names))
    if stray:
        raise InvalidArgument(
            f"options are given for {stray}, which are not among the integrations {names}."
        )
    built, spec = [], []
    for name in names:
        cls = integration_registry.resolve(name)
        taken = inspect.signature(cls).parameters
        own = {key: value for key, value in shared.items() if key in taken} | options.get(name, {})
        cls.import_call(sys.argv)
        integration = integration_registry.build(cls, "", **own)
        integration.name = name
        built.append(integration)
        spec.append((name, own))
    return Integrations(built, spec)


def _encode(spec: list[tuple[str, dict[str, Any]]]) -> str | None:
    """The spec as JSON for workers, or None when an option is not a JSON value."""
    try:
        return json.dumps([[name, options] for name, options in spec])
    except TypeError:
        return None


def _from_environment(encoded: str) -> Integrations | None:
    """The integrations a parent process handed over (built once per process)."""
    global _inherited
    if _inherited is not None and _inherited[0] == encoded:
        return _inherited[1]
    try:
        spec = json.loads(encoded)
        names = [name for name, _ in spec]
        built = load_integrations(names, {name: options for name, options in spec})
    except (ValueError, InvalidArgument) as exc:
        warnings.warn(
            f"{ENVIRONMENT} is set but its integrations cannot be built: {exc}",
            IntegrationWarning,
            stacklevel=3,
        )
        built = None
    _inherited = (encoded, built) if built is not None else None
    return built
