"""``/models/{id}/versions``: a model's numbered versions: list, create, edit, publish, delete.

Numbers are never reused: deleting version 2 leaves 1 and 3 as they are.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query

from assay.registry.catalog import version_history
from assay.registry.tables import ModelVersion
from assay.registry.versions import (
    create_version,
    delete_version,
    edit_version,
    get_version,
    latest_version,
    publish,
)
from assay.server.paging import Page, PageQuery, slice_page
from assay.server.records import json_value
from assay.server.routes.models import Force, ScopedModel
from assay.server.schemas import AuditOut, Deleted, VersionEdit, VersionIn, VersionOut

router = APIRouter(tags=["versions"])
Number = Annotated[int, Path(ge=1, le=2**31 - 1, description="The version number.")]


def version_out(version: ModelVersion) -> VersionOut:
    """A version with its files (``formats``, read as the ``formats`` property reads them)."""
    return VersionOut.model_validate(version)


def scoped_version(model: ScopedModel, number: Number) -> ModelVersion:
    """The live version ``number`` of the route's model (in the caller's context)."""
    return get_version(model.id, number)


#: The version of a route's ``model_id`` and ``number``.
ScopedVersion = Annotated[ModelVersion, Depends(scoped_version)]


@router.get("/models/{model_id}/versions", response_model=Page[VersionOut])
def list_versions(model: ScopedModel, at: PageQuery) -> Page:
    """The live versions of a model, by number."""
    return slice_page(model.versions, at, version_out)


@router.post("/models/{model_id}/versions", response_model=VersionOut, status_code=201)
def post_version(model: ScopedModel, body: VersionIn) -> VersionOut:
    """A new version, numbered one past the highest number the model ever had."""
    return version_out(create_version(model.id, **body.model_dump()))


@router.get("/models/{model_id}/latest", response_model=VersionOut)
def get_latest(
    model: ScopedModel,
    published: Annotated[
        bool | None, Query(description="Only published (true) or unpublished (false) ones.")
    ] = None,
) -> VersionOut:
    """The highest-numbered live version (of any state, or published or not)."""
    return version_out(latest_version(model.id, published))


@router.get("/models/{model_id}/versions/{number}", response_model=VersionOut)
def get_one_version(version: ScopedVersion) -> VersionOut:
    """One version with its settings, records, performance and files."""
    return version_out(version)


@router.patch("/models/{model_id}/versions/{number}", response_model=VersionOut)
def patch_version(version: ScopedVersion, body: VersionEdit) -> VersionOut:
    """Change fields of an unpublished version; fields left out stay as they are (409 once published)."""
    values: dict[str, Any] = body.model_dump(exclude_unset=True)
    return version_out(edit_version(version, values))


@router.post("/models/{model_id}/versions/{number}/publish", response_model=VersionOut)
def publish_version(version: ScopedVersion) -> VersionOut:
    """Publish a version: from now on neither it nor its files can change."""
    return version_out(publish(version))


@router.delete("/models/{model_id}/versions/{number}", response_model=Deleted)
def remove_version(version: ScopedVersion, force: Force = False) -> Deleted:
    """Delete a version and its files; a published one needs ``force`` (recorded)."""
    return Deleted(deleted=delete_version(version.id, force))


@router.get("/models/{model_id}/versions/{number}/history", response_model=list[AuditOut])
def get_version_history(version: ScopedVersion) -> list:
    """Every change to the version, oldest first."""
    return version_history(version.id)


@router.get("/models/{model_id}/versions/{number}/lineage", response_model=dict[str, Any])
def get_lineage(version: ScopedVersion) -> dict[str, Any]:
    """Where the version came from: Predictor, Job, Queue, Splitset, Datasets, as a tree."""
    return json_value(version.lineage().to_dict())
