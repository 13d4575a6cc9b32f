"""``assay registry ...``: list, show, upload, download, publish and delete from a shell."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from assay.errors import AssayError
from assay.registry.registry import Registry
from assay.registry.tables import ModelVersion, RegisteredModel

app = typer.Typer(
    help="The model registry: models, their versions and files.",
    no_args_is_help=True,
    add_completion=False,
)
F = TypeVar("F", bound=Callable[..., Any])
Name = Annotated[str, typer.Argument(help="The model's name.")]
Number = Annotated[int, typer.Argument(help="The version number.")]
FormatId = Annotated[str, typer.Argument(metavar="FORMAT", help="The format id, e.g. pkl.")]


@app.callback()
def main(
    ctx: typer.Context,
    context: Annotated[str, typer.Option(help="The registry context to work in.")] = "default",
) -> None:
    """Work on the model registry of this metastore."""
    ctx.obj = context


def reporting(command: F) -> F:
    """Print assay's errors as one line on stderr and exit with 1, without a traceback."""

    @functools.wraps(command)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except AssayError as exc:
            typer.echo(f"Error: {exc}", err=True)
            raise typer.Exit(code=1) from exc

    return run  # type: ignore[return-value]


def registry(ctx: typer.Context) -> Registry:
    """The registry of the context given to ``assay registry --context``."""
    return Registry(ctx.obj or "default")


@app.command()
@reporting
def models(
    ctx: typer.Context,
    search: Annotated[str | None, typer.Option(help="Part of the name, any case.")] = None,
    tag: Annotated[
        list[str] | None, typer.Option(help="A tag every model shown has (repeatable).")
    ] = None,
) -> None:
    """List the models of the context, with their versions and tags."""
    found = registry(ctx).models(search=search, tags=tag or None)
    if not found:
        asked = [f"--search {search!r}"] if search else []
        asked += [f"--tag {one!r}" for one in tag or []]
        matching = f" match {' '.join(asked)}" if asked else ""
        typer.echo(f"No models in context {ctx.obj!r}{matching}.")
        return
    width = max(len(model.name) for model in found)
    for model in found:
        versions = model.versions
        published = sum(version.is_published for version in versions)
        typer.echo(
            f"{model.name:<{width}}  {len(versions):>2} versions ({published} published)  "
            f"updated {model.updated_at()}  tags: {', '.join(model.tags) or '-'}"
        )


@app.command()
@reporting
def show(ctx: typer.Context, name: Name) -> None:
    """Show a model: its details, description, and each version with its files."""
    model = registry(ctx).model(name)
    typer.echo(f"{model.name} (id {model.id}, context {model.context})")
    typer.echo(f"tags: {', '.join(model.tags) or '-'}")
    typer.echo(f"created {model.created_at()} by {model.created_by}")
    typer.echo(f"updated {model.updated_at()} by {model.updated_by}")
    if model.description:
        typer.echo("\n" + model.description + "\n")
    versions = model.versions
    typer.echo("versions:" if versions else "no versions yet")
    for version in versions:
        typer.echo("  " + version_line(version))


def version_line(version: ModelVersion) -> str:
    """``v3  published  pkl (1,204 bytes), onnx (...)  description``."""
    state = "published" if version.is_published else "draft"
    files = ", ".join(f"{f.format_id} ({f.size:,} bytes)" for f in version.formats)
    line = f"v{version.version:<3} {state:<9}  {files or 'no files'}"
    return line + (f"  {version.description}" if version.description else "")


@app.command()
@reporting
def upload(
    ctx: typer.Context,
    name: Name,
    version: Number,
    format_id: FormatId,
    file: Annotated[Path, typer.Argument(help="The file to upload.")],
    replace: Annotated[
        bool, typer.Option(help="Replace the version's file of this format.")
    ] = False,
) -> None:
    """Upload a file as one format of a version."""
    target = registry(ctx).model(name).version(version)
    add = target.replace_format if replace else target.add_format
    row = add(format_id, file)
    typer.echo(
        f"uploaded {format_id} to {name} v{version}: {row.size:,} bytes, sha256 {row.sha256}"
    )


@app.command()
@reporting
def download(
    ctx: typer.Context,
    name: Name,
    version: Number,
    format_id: FormatId,
    path: Annotated[
        Path | None, typer.Argument(help="A file, or a folder (default: this one).")
    ] = None,
) -> None:
    """Download the file of one format of a version; its sha256 is verified."""
    target = registry(ctx).model(name).version(version)
    written = target.download(format_id, Path.cwd() if path is None else path)
    typer.echo(str(written))


@app.command()
@reporting
def publish(
    ctx: typer.Context,
    name: Name,
    version: Number,
) -> None:
    """Publish a version: from now on neither it nor its files can change."""
    registry(ctx).model(name).version(version).publish()
    typer.echo(f"published {name} v{version}")


@app.command()
@reporting
def delete(
    ctx: typer.Context,
    name: Name,
    version: Annotated[int | None, typer.Argument(help="Only this version number.")] = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Delete a model with all its versions, or one version; asks first unless --yes.

    Published versions are deleted too once confirmed; the deletion is recorded.
    """
    model = registry(ctx).model(name)
    doomed = model.versions if version is None else [model.version(version)]
    published = [v.version for v in doomed if v.is_published]
    question = deletion_question(model, version, len(doomed), published)
    if not yes and not typer.confirm(question):
        typer.echo("Nothing deleted.")
        raise typer.Exit(code=1)
    force = bool(published)
    if version is None:
        model.delete(force=force)
        typer.echo(f"deleted model {name} and {len(doomed)} versions")
    else:
        doomed[0].delete(force=force)
        typer.echo(f"deleted {name} v{version}")


def deletion_question(
    model: RegisteredModel, version: int | None, count: int, published: list[int]
) -> str:
    """What the user confirms: what goes, and which of it is published."""
    what = (
        f"model {model.name!r} and its {count} versions"
        if version is None
        else (f"version {version} of model {model.name!r}")
    )
    if published:
        what += f" (published: {', '.join(f'v{n}' for n in published)})"
    return f"Delete {what}? This cannot be undone."
