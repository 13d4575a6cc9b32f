"""``assay plugins``: every registry, each name in it, and where it comes from."""

from __future__ import annotations

import typer


def plugins() -> None:
    """List every registry, each name in it, and where the name comes from.

    The registries: model libraries, feature types, encoders, decoders, samplers, executors,
    model formats and integrations. A name is built into assay, or a plug-in (an installed
    package's entry point: its distribution and version), or registered by other code.

    Example: ``assay plugins``
    """
    import warnings

    from assay.plugins import PluginWarning, entries, failures

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PluginWarning)  # listed below instead
        rows = entries()
        broken = failures()
    groups: dict[str, list] = {}
    for row in rows:
        groups.setdefault(row.group, []).append(row)
    width = max((len(row.name) for row in rows), default=4)
    for group, members in groups.items():
        typer.echo(f"{group} ({members[0].kind}, {len(members)})")
        for row in members:
            typer.echo(f"  {row.name:<{width}}  {row.origin.kind:<10}  {row.origin.where}")
    for group, reasons in broken.items():
        for name, why in reasons.items():
            typer.echo(f"{group}: {name!r} was not loaded: {why}", err=True)
