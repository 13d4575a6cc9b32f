"""``/models``: the registered models of the caller's context: list, create, open, edit, delete.

A model is addressed by id (``/models/7``), or found by name (``/models/by-name/churn``);
a model of another context answers 404, as a missing one does.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query

from assay.errors import NotFound
from assay.registry.catalog import (
    create_model,
    delete_model,
    edit_model,
    find_models,
    get_model,
    model_history,
)
from assay.registry.tables import RegisteredModel
from assay.server.auth import Caller
from assay.server.paging import Page, PageQuery, page_of
from assay.server.queries import version_numbers
from assay.server.schemas import AuditOut, Deleted, ModelEdit, ModelIn, ModelOut

router = APIRouter(tags=["models"])
ModelId = Annotated[int, Path(ge=1, le=2**31 - 1)]
Force = Annotated[bool, Query(description="Also delete published versions (recorded).")]


def model_out(model: RegisteredModel, numbers: list[int] | None = None) -> ModelOut:
    """A model with the numbers of its live versions (read here unless given)."""
    if numbers is None:
        numbers = version_numbers([model.id])[model.id]
    return ModelOut.model_validate(model).model_copy(update={"version_numbers": numbers})


def scoped_model(model_id: ModelId, caller: Caller) -> RegisteredModel:
    """The model with this id, if it is of the caller's context (else 404, as if missing)."""
    try:
        model = get_model(caller.context, model_id)
    except NotFound:
        model = None
    if model is None or model.context != caller.context:
        raise NotFound(f"model {model_id} does not exist in context {caller.context!r}.")
    return model


#: The model of a route's ``model_id``, in the caller's context.
ScopedModel = Annotated[RegisteredModel, Depends(scoped_model)]


@router.get("/models", response_model=Page[ModelOut])
def list_models(
    caller: Caller,
    at: PageQuery,
    search: Annotated[str | None, Query(description="Part of the name, any case.")] = None,
    tag: Annotated[list[str] | None, Query(description="A tag every model has.")] = None,
    sort_by: Literal["name", "time_created", "time_updated"] = "name",
    ascending: bool = True,
) -> Page:
    """The models of the caller's context whose name contains ``search`` and that have every tag."""
    found = find_models(caller.context, search, tag, sort_by, ascending)
    page = found[at.offset : at.offset + at.limit]
    numbers = version_numbers([model.id for model in page])
    return page_of(page, len(found), at, lambda model: model_out(model, numbers[model.id]))


@router.post("/models", response_model=ModelOut, status_code=201)
def post_model(body: ModelIn, caller: Caller) -> ModelOut:
    """A new model in the caller's context."""
    return model_out(create_model(body.name, caller.context, body.tags, body.description))


@router.get("/models/by-name/{name}", response_model=ModelOut)
def model_by_name(name: str, caller: Caller) -> ModelOut:
    """The model of the caller's context with this name."""
    return model_out(get_model(caller.context, name))


@router.get("/models/{model_id}", response_model=ModelOut)
def get_one_model(model: ScopedModel) -> ModelOut:
    """One model, with the numbers of its versions."""
    return model_out(model)


@router.patch("/models/{model_id}", response_model=ModelOut)
def patch_model(model: ScopedModel, body: ModelEdit) -> ModelOut:
    """Change a model's name, description, tags or star; fields left out stay as they are."""
    return model_out(edit_model(model, body.model_dump(exclude_none=True)))


@router.delete("/models/{model_id}", response_model=Deleted)
def remove_model(model: ScopedModel, force: Force = False) -> Deleted:
    """Delete a model with its versions and files; published versions need ``force``."""
    return Deleted(deleted=delete_model(model.id, force))


@router.get("/models/{model_id}/history", response_model=list[AuditOut])
def get_model_history(model: ScopedModel) -> list:
    """Every change to the model and its versions, oldest first."""
    return model_history(model.id)
