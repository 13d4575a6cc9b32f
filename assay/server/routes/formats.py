"""A version's files by format: list, upload (add or replace), download, delete; known formats.

An upload is ``multipart/form-data`` with the file as ``file``: spooled to disk while it
arrives (never whole in memory), refused with 413 beyond the server's limit, then streamed
by the registry to its store, hashed and validated by its format. A download streams the
stored file, with its sha256 in ``X-Assay-SHA256`` for the client to check.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Path, Request, UploadFile
from fastapi.responses import StreamingResponse

from assay.registry.files import delete_file, get_file, stream, suffix_of, upload
from assay.registry.formats import format_ids, get_format
from assay.registry.tables import VersionFormat
from assay.server.routes.versions import ScopedVersion
from assay.server.schemas import FormatKind, FormatOut
from assay.server.uploads import checked_upload

router = APIRouter(tags=["formats"])
FormatId = Annotated[str, Path(max_length=32, description="A format id, e.g. pkl.")]
FILE = "/models/{model_id}/versions/{number}/formats/{format_id}"
#: The header of a download that holds the file's sha256 (hex).
SHA256_HEADER = "X-Assay-SHA256"


@router.get("/formats", response_model=list[FormatKind])
def known_formats() -> list[FormatKind]:
    """The model formats the registry knows."""
    return [
        FormatKind(id=kind.id, description=kind.description, suffix=kind.suffix)
        for kind in map(get_format, format_ids())
    ]


@router.get("/models/{model_id}/versions/{number}/formats", response_model=list[FormatOut])
def list_files(version: ScopedVersion) -> list[VersionFormat]:
    """The files of a version, one per format."""
    return version.formats


def receive(
    request: Request, version: ScopedVersion, format_id: str, file: UploadFile, replace: bool
) -> VersionFormat:
    """Hand a checked upload to the registry."""
    limit = request.app.state.settings.max_upload_bytes
    return upload(version.id, format_id, checked_upload(file, limit), replace=replace)


@router.post(FILE, response_model=FormatOut, status_code=201)
def add_file(
    request: Request, version: ScopedVersion, format_id: FormatId, file: UploadFile
) -> VersionFormat:
    """Upload the version's file of ``format_id`` (409 once published; 400 if it has one)."""
    return receive(request, version, format_id, file, replace=False)


@router.put(FILE, response_model=FormatOut)
def replace_file(
    request: Request, version: ScopedVersion, format_id: FormatId, file: UploadFile
) -> VersionFormat:
    """Replace the version's file of ``format_id``, which must exist."""
    return receive(request, version, format_id, file, replace=True)


@router.get(
    FILE,
    response_class=StreamingResponse,
    responses={200: {"content": {"application/octet-stream": {}}}},
)
def download_file(version: ScopedVersion, format_id: FormatId) -> StreamingResponse:
    """The file, streamed; its sha256 is in the ``X-Assay-SHA256`` header."""
    row, chunks = stream(version.id, format_id)
    name = f"{version.model.name}-v{version.version}{suffix_of(format_id)}"
    headers = {
        SHA256_HEADER: row.sha256,
        "Content-Length": str(row.size),
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}",
    }
    return StreamingResponse(chunks, media_type="application/octet-stream", headers=headers)


@router.delete(FILE, response_model=FormatOut)
def remove_file(version: ScopedVersion, format_id: FormatId) -> VersionFormat:
    """Remove the version's file of ``format_id`` (409 once published)."""
    row = get_file(version.id, format_id)
    delete_file(version.id, format_id)
    return row
