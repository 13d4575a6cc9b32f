"""The Models pages: the registry's dashboard.

The list (search, sort, tag filter), create, and a model's page: the Details and New Version
tabs, the versions selector, formats, publish and delete.

Every change goes through ``assay.registry`` (and the API's upload check, so the same size
limit and file-name rules hold); a failure comes back to the page as a message.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import Response

from assay.errors import InvalidArgument, NotFound
from assay.registry.catalog import create_model, delete_model, edit_model, find_models
from assay.registry.files import delete_file, upload
from assay.registry.formats import format_ids, get_format
from assay.registry.tables import ModelVersion, RegisteredModel
from assay.registry.versions import create_version, delete_version, edit_version, publish
from assay.server.dashboard.errors import DashboardRoute
from assay.server.dashboard.render import page, redirect
from assay.server.dashboard.session import Viewer
from assay.server.routes.formats import download_file
from assay.server.routes.models import scoped_model
from assay.server.routes.versions import scoped_version
from assay.server.uploads import checked_upload

router = APIRouter(route_class=DashboardRoute, include_in_schema=False)
SORTS = {"name": "name", "modified": "time_updated", "versions": "versions"}
Text = Annotated[str, Form()]
OptionalFile = Annotated[UploadFile | None, File()]


@router.get("/models")
def models_page(
    request: Request,
    who: Viewer,
    search: str = "",
    tag: str = "",
    sort: str = "name",
    order: str = "asc",
) -> Response:
    """The context's models: search by name, filter by tag, sort by name, modified or versions."""
    if sort not in SORTS:
        raise InvalidArgument(f"sort must be one of {', '.join(SORTS)}; got {sort!r}.")
    ascending = order != "desc"
    by = SORTS[sort]
    found = find_models(
        who.context, search or None, tag or None, "name" if by == "versions" else by, ascending
    )
    if by == "versions":
        found.sort(key=lambda model: len(model.versions), reverse=not ascending)
    return page(
        request,
        "models.html",
        models=found,
        search=search,
        tag=tag,
        sort=sort,
        order="asc" if ascending else "desc",
        can=who.can,
    )


@router.post("/models")
def create_model_form(
    request: Request, who: Viewer, name: Text, tags: Text = "", description: Text = ""
) -> Response:
    """Create a model in the user's context."""
    model = create_model(name, who.context, tags or None, description or None)
    return redirect(request, f"/models/{model.id}", f"Model {model.name} created.")


def model_of(model_id: int, who: Viewer) -> RegisteredModel:
    """The model, if it is of the user's context (404 otherwise, as the API says)."""
    return scoped_model(model_id, who)


@router.get("/models/{model_id}")
def model_page(
    request: Request,
    model_id: int,
    who: Viewer,
    version: Annotated[int | None, Query()] = None,
    tab: str = "details",
) -> Response:
    """A model: the Details tab (General, Version Details, Formats) or the New Version tab."""
    model = model_of(model_id, who)
    versions = model.versions
    selected = None
    if versions:
        numbers = {row.version: row for row in versions}
        if version is not None and version not in numbers:
            raise NotFound(f"model {model.name!r} has no version {version}.")
        selected = numbers[version] if version is not None else versions[-1]
    kinds = [get_format(format_id) for format_id in format_ids()]
    return page(
        request,
        "model.html",
        model=model,
        versions=versions,
        selected=selected,
        tab="new" if tab == "new" else "details",
        kinds=kinds,
        can=who.can,
    )


@router.post("/models/{model_id}/edit")
def edit_model_form(
    request: Request,
    model_id: int,
    who: Viewer,
    name: Text,
    tags: Text = "",
    description: Text = "",
) -> Response:
    """Change a model's name, tags and description."""
    model = model_of(model_id, who)
    edit_model(model, {"name": name, "tags": tags, "description": description})
    return redirect(request, f"/models/{model.id}", "Model saved.")


def json_field(text: str, argument: str) -> Any:
    """A form field holding JSON (empty: None)."""
    if not text.strip():
        return None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidArgument(f"{argument} must be JSON; {exc}.") from exc


def records_field(text: str) -> list[Any] | None:
    """Training records: Dataset ids or references, comma-separated."""
    items = [item.strip() for item in text.split(",") if item.strip()]
    return [int(item) if item.isdigit() else item for item in items] or None


def given_file(file: UploadFile | None) -> UploadFile | None:
    """The uploaded file, or None where the form's file field was left empty."""
    if file is None or not file.filename:
        return None
    return file


def version_form(
    description: Text = "",
    tags: Text = "",
    hyperparameters: Text = "",
    config: Text = "",
    records: Text = "",
) -> dict[str, str]:
    """The fields that the new and edit version forms share, as typed (read afterwards)."""
    return {
        "description": description,
        "tags": tags,
        "hyperparameters": hyperparameters,
        "config": config,
        "records": records,
    }


VersionForm = Annotated[dict[str, str], Depends(version_form)]


def version_settings(form: dict[str, str]) -> dict[str, Any]:
    """A version's settings from its form's fields."""
    return {
        "description": form["description"] or None,
        "tags": form["tags"] or None,
        "hyperparameters": json_field(form["hyperparameters"], "hyperparameters"),
        "config": json_field(form["config"], "config"),
        "records": records_field(form["records"]),
    }


@router.post("/models/{model_id}/versions")
def new_version_form(
    request: Request,
    model_id: int,
    who: Viewer,
    form: VersionForm,
    format_id: Text = "pkl",
    file: OptionalFile = None,
) -> Response:
    """Create a version (numbered past every number the model had), with a first file."""
    model = model_of(model_id, who)
    settings = version_settings(form)
    chosen = given_file(file)
    formats = None
    if chosen is not None:
        formats = {format_id: checked_upload(chosen, request.app.state.settings.max_upload_bytes)}
    version = create_version(model.id, **settings, formats=formats)
    url = f"/models/{model.id}?version={version.version}"
    return redirect(request, url, f"Version {version.version} created.")


def version_of(model_id: int, number: int, who: Viewer) -> ModelVersion:
    """Version ``number`` of the user's model."""
    return scoped_version(model_of(model_id, who), number)


@router.post("/models/{model_id}/versions/{number}/edit")
def edit_version_form(
    request: Request,
    model_id: int,
    number: int,
    who: Viewer,
    form: VersionForm,
) -> Response:
    """Change the settings of an unpublished version (a published one refuses)."""
    version = version_of(model_id, number, who)
    settings = version_settings(form)
    settings["tags"] = form["tags"]
    settings["config"] = settings["config"] or {}
    settings["records"] = settings["records"] or []
    edit_version(version, settings)
    return redirect(request, f"/models/{model_id}?version={number}", f"Version {number} saved.")


@router.post("/models/{model_id}/versions/{number}/publish")
def publish_form(request: Request, model_id: int, number: int, who: Viewer) -> Response:
    """Publish a version: from now on neither it nor its files change."""
    publish(version_of(model_id, number, who))
    return redirect(request, f"/models/{model_id}?version={number}", f"Version {number} published.")


@router.post("/models/{model_id}/versions/{number}/formats")
def format_form(
    request: Request,
    model_id: int,
    number: int,
    who: Viewer,
    format_id: Text,
    file: Annotated[UploadFile, File()],
    replace: Text = "",
) -> Response:
    """Add (or, with ``replace``, replace) the version's file of a format."""
    version = version_of(model_id, number, who)
    if given_file(file) is None:
        raise InvalidArgument("file: choose a file to upload.")
    limit = request.app.state.settings.max_upload_bytes
    upload(version.id, format_id, checked_upload(file, limit), replace=bool(replace))
    verb = "replaced" if replace else "added"
    return redirect(request, f"/models/{model_id}?version={number}", f"Format {format_id} {verb}.")


@router.get("/models/{model_id}/versions/{number}/formats/{format_id}")
def download_format(model_id: int, number: int, format_id: str, who: Viewer) -> Response:
    """Download the version's file of a format (streamed, with its sha256 in a header)."""
    return download_file(version_of(model_id, number, who), format_id)


@router.post("/models/{model_id}/versions/{number}/formats/{format_id}/delete")
def delete_format_form(
    request: Request, model_id: int, number: int, format_id: str, who: Viewer
) -> Response:
    """Delete the version's file of a format (not once the version is published)."""
    version = version_of(model_id, number, who)
    delete_file(version.id, format_id)
    return redirect(request, f"/models/{model_id}?version={number}", f"Format {format_id} deleted.")


@router.get("/models/{model_id}/delete")
def confirm_delete(
    request: Request, model_id: int, who: Viewer, version: Annotated[int | None, Query()] = None
) -> Response:
    """Ask what to delete: the selected version ("Delete version X") or the whole model."""
    model = model_of(model_id, who)
    versions = model.versions
    selected = None
    if version is not None and len(versions) > 1:
        selected = scoped_version(model, version)
    return page(request, "delete.html", model=model, versions=versions, selected=selected)


@router.post("/models/{model_id}/versions/{number}/delete")
def delete_version_form(
    request: Request, model_id: int, number: int, who: Viewer, force: Text = ""
) -> Response:
    """Delete one version and its files; the other versions keep their numbers."""
    version = version_of(model_id, number, who)
    delete_version(version.id, force=bool(force))
    return redirect(request, f"/models/{model_id}", f"Version {number} deleted.")


@router.post("/models/{model_id}/delete")
def delete_model_form(request: Request, model_id: int, who: Viewer, force: Text = "") -> Response:
    """Delete the model with all its versions and files."""
    model = model_of(model_id, who)
    delete_model(model.id, force=bool(force))
    return redirect(request, "/models", f"Model {model.name} deleted.")
