"""Plug-ins: what other installed packages add to assay's registries, and where each entry is from.

Every registry users extend by name is a ``registry.Registry`` with an entry-point group:

=========================  ===========================================  =====================
group                      registry                                     entries
=========================  ===========================================  =====================
``assay.libraries``        ``assay.train.adapters.library_registry``    Adapter instances
``assay.samplers``         ``assay.search.sampler_registry``            Sampler classes
``assay.executors``        ``assay.search.executor_registry``           Executor classes
``assay.formats``          ``assay.registry.formats.format_registry``   ModelFormat instances
``assay.integrations``     ``assay.integrations.integration_registry``  Integration classes
=========================  ===========================================  =====================

(and the declarative experiment's ``assay.feature_types``, ``assay.encoders``,
``assay.decoders`` and ``assay.combiners``, in ``assay.declarative``).
A package declares ``[project.entry-points."assay.samplers"] halton = "pkg.module:Halton"``;
assay loads it the first time the registry is looked into. ``assay plugins`` lists them all.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from assay.plugins.registry import (
    BUILT_IN,
    PLUG_IN,
    REGISTERED,
    ClassRegistry,
    InstanceRegistry,
    Origin,
    PluginWarning,
    Registry,
)

__all__ = [
    "BUILT_IN",
    "PLUG_IN",
    "REGISTERED",
    "REGISTRIES",
    "ClassRegistry",
    "Entry",
    "InstanceRegistry",
    "Origin",
    "PluginWarning",
    "Registry",
    "entries",
    "failures",
    "registries",
    "reload_plugins",
]

#: Each entry-point group and the registry it extends, as ``"module:attribute"``; imported
#: only when asked for (``registries()``). A registry whose module is not installed is left out.
REGISTRIES: dict[str, str] = {
    "assay.libraries": "assay.train.adapters:library_registry",
    "assay.feature_types": "assay.declarative.features:feature_type_registry",
    "assay.encoders": "assay.declarative.encoders:encoder_registry",
    "assay.decoders": "assay.declarative.decoders:decoder_registry",
    "assay.combiners": "assay.declarative.combiners:combiner_registry",
    "assay.samplers": "assay.search.samplers:sampler_registry",
    "assay.executors": "assay.search.executors:executor_registry",
    "assay.formats": "assay.registry.formats:format_registry",
    "assay.integrations": "assay.integrations:integration_registry",
}


@dataclass(frozen=True)
class Entry:
    """One name in one registry, and where it came from (a row of ``assay plugins``)."""

    group: str
    kind: str
    name: str
    origin: Origin
    target: str


def registries() -> dict[str, Registry]:
    """Every registry by its entry-point group, importing the modules that hold them."""
    found: dict[str, Registry] = {}
    for group, location in REGISTRIES.items():
        module_name, attribute = location.split(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name and module_name.startswith(exc.name):
                continue  # that part of assay is not here
            raise
        registry = getattr(module, attribute, None)
        if isinstance(registry, Registry):
            found[group] = registry
    return found


def entries() -> list[Entry]:
    """Every registered name of every registry, plug-ins loaded, by group and name."""
    rows = []
    for group, registry in registries().items():
        for name in registry.names():
            rows.append(
                Entry(
                    group,
                    registry.kind,
                    name,
                    registry.origin(name),
                    registry.describe(registry[name]),
                )
            )
    return rows


def failures() -> dict[str, dict[str, str]]:
    """The plug-ins that did not load, by group: ``{group: {name: why}}``."""
    return {
        group: dict(registry.failures)
        for group, registry in registries().items()
        if registry.failures
    }


def reload_plugins() -> None:
    """Read every group's entry points again (after a package was installed in this process)."""
    importlib.invalidate_caches()
    for registry in registries().values():
        registry.reload_plugins()
