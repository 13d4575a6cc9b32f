"""The registry of an assay server, with the local registry's methods: ``Registry(url=, token=)``.

```python
from assay.registry import Registry

registry = Registry(url="http://models.example.org:8000", token=TOKEN)  # 1. a token
m = registry.create_model("churn")           # 2. create a model (or registry.model("churn"))
v = m.create_version(hyperparameters={"C": 1.0})                        # 3. a version
v.add_format("pkl", pickle.dumps(model))     # 4. and 5. a format, uploaded
```

Models, versions and files come back as ``RemoteModel``, ``RemoteVersion`` and
``RemoteFormat``: the attributes and methods of ``RegisteredModel``, ``ModelVersion`` and
``VersionFormat``, each call one request to the server, which checks the token's role and
records the token's user in the audit log. A model lives in the token's context.
"""

from __future__ import annotations

import functools
import tempfile
from datetime import datetime
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, Self
from urllib.parse import quote

from assay.errors import InvalidArgument, NotFound
from assay.registry.audit import AuditEntry
from assay.registry.checks import check_number, clean_name, clean_tags
from assay.registry.files import deliver, filename_of, suffix_of
from assay.registry.formats import get_format
from assay.registry.lineage import Lineage
from assay.registry.methods import ModelMethods, VersionMethods
from assay.registry.registry import Registry
from assay.registry.remote_client import Client
from assay.registry.tables import Source

if TYPE_CHECKING:
    import pandas as pd

#: Fields of the server's answers that hold times.
TIMES = ("time_created", "time_updated", "time_published")


class RemoteRow:
    """A row as the server sent it: its fields as attributes, times as datetimes."""

    def __init__(self, client: Client, fields: dict[str, Any]) -> None:
        self._client = client
        self._update(fields)

    def _update(self, fields: dict[str, Any]) -> Self:
        for key, value in fields.items():
            if key in TIMES and isinstance(value, str):
                value = datetime.fromisoformat(value)
            setattr(self, key, value)
        return self

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.id == self.id  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash((type(self).__name__, self.id))  # type: ignore[attr-defined]


class RemoteFormat(RemoteRow):
    """The file of one format of a remote version: ``format_id``, ``sha256``, ``size``..."""

    format_id: str
    sha256: str
    size: int

    @property
    def id(self) -> str:
        """The format id (a version holds one file per format)."""
        return self.format_id

    def __repr__(self) -> str:
        return f"<RemoteFormat {self.format_id!r}: {self.size} bytes, sha256 {self.sha256[:12]}...>"

    def info(self) -> dict[str, Any]:
        """What the audit log records of this file."""
        return {"format_id": self.format_id, "sha256": self.sha256, "size": self.size}


def entries(rows: list[dict[str, Any]]) -> list[AuditEntry]:
    """Audit entries as the local registry returns them (not attached to any session)."""
    out = []
    for row in rows:
        fields = dict(row)
        fields["time_created"] = datetime.fromisoformat(fields["time_created"])
        out.append(AuditEntry(**fields))
    return out


class RemoteVersion(RemoteRow, VersionMethods):
    """A numbered version of a remote model, with ``ModelVersion``'s methods."""

    id: int
    model_id: int
    version: int
    is_published: bool

    def __repr__(self) -> str:
        state = "published" if self.is_published else "draft"
        return f"<RemoteVersion {self.id}: model {self.model_id} v{self.version}, {state}>"

    @property
    def _path(self) -> str:
        return f"/models/{self.model_id}/versions/{self.version}"

    def _update(self, fields: dict[str, Any]) -> Self:
        fields.pop("formats", None)  # read afresh by ``formats`` whenever asked
        return super()._update(fields)

    def refresh(self) -> Self:
        """This version read afresh from the server."""
        return self._update(self._client.get(self._path))

    @property
    def model(self) -> RemoteModel:
        """The model this is a version of."""
        return RemoteModel(self._client, self._client.get(f"/models/{self.model_id}"))

    @property
    def formats(self) -> list[RemoteFormat]:
        """The files of this version, one per format id (read afresh)."""
        return [
            RemoteFormat(self._client, item) for item in self._client.get(self._path + "/formats")
        ]

    def format(self, format_id: str) -> RemoteFormat:
        """The file of this version in format ``format_id``.

        Raises:
            NotFound: The version has no such file.
        """
        files = self.formats
        for found in files:
            if found.format_id == format_id:
                return found
        present = ", ".join(sorted(f.format_id for f in files)) or "none"
        raise NotFound(f"version {self.version} has no {format_id!r} file; its formats: {present}.")

    def update_columns(self, **values: Any) -> Self:
        """Send changed fields to the server and take its answer."""
        return self._update(self._client.call("PATCH", self._path, json=values))

    def flip_star(self) -> Self:
        """Toggle ``is_starred``."""
        return self.update_columns(is_starred=not self.is_starred)

    def add_format(self, format_id: str, source: Source) -> RemoteFormat:
        """Upload the file of ``format_id``: bytes, a path or a binary file object, streamed."""
        return self._send(format_id, source, replace=False)

    def replace_format(self, format_id: str, source: Source) -> RemoteFormat:
        """Replace the file of ``format_id`` (which must exist)."""
        return self._send(format_id, source, replace=True)

    def _send(self, format_id: str, source: Source, replace: bool) -> RemoteFormat:
        path = f"{self._path}/formats/{quote(format_id, safe='')}"
        with opened(source) as file:
            sent = self._client.upload(path, file, filename_of(source), replace)
        return RemoteFormat(self._client, sent)

    def download(self, format_id: str, path: str | Path | None = None) -> bytes | Path:
        """The file of ``format_id``: its bytes, or written to ``path`` (a file or a folder).

        The sha256 of what arrives is checked against the server's; a file is written to a
        temporary name and renamed once it matches.
        """
        url = f"{self._path}/formats/{quote(format_id, safe='')}"

        def file_name() -> str:
            return f"{self.model.name}-v{self.version}{suffix_of(format_id)}"

        return deliver(path, file_name, functools.partial(self._client.download, url))

    def delete_format(self, format_id: str) -> None:
        """Remove the file of ``format_id`` from this (unpublished) version."""
        self._client.call("DELETE", f"{self._path}/formats/{quote(format_id, safe='')}")

    def publish(self) -> Self:
        """Freeze this version and its formats."""
        return self._update(self._client.call("POST", self._path + "/publish"))

    def delete(self, force: bool = False) -> dict[str, int]:
        """Delete this version and its files; a published one needs ``force=True``."""
        return self._client.call("DELETE", self._path, params={"force": force})["deleted"]

    def load(self, format_id: str) -> Any:
        """The model in ``format_id``, downloaded (verified) and read by its format."""
        model_format = get_format(format_id)
        with tempfile.TemporaryDirectory(prefix="assay-load-") as folder:
            path = self.download(format_id, Path(folder) / f"model{model_format.suffix}")
            return model_format.load(path)

    def predict(self, data: pd.DataFrame) -> Any:
        """Predictions of the ``pkl`` model: ``load("pkl").predict(data)``."""
        return self.load("pkl").predict(data)

    def history(self) -> list[AuditEntry]:
        """Every change to this version, oldest first."""
        return entries(self._client.get(self._path + "/history"))

    def lineage(self) -> Lineage:
        """Where this version came from, as the server's metastore knows it."""
        return Lineage.from_dict(self._client.get(self._path + "/lineage"))


class opened:
    """A source as a binary file object: bytes wrapped, a path opened (and closed after)."""

    def __init__(self, source: Source) -> None:
        self.source = source
        self.file: BinaryIO | None = None

    def __enter__(self) -> BinaryIO:
        source = self.source
        if isinstance(source, bytes | bytearray | memoryview):
            return BytesIO(bytes(source))
        if isinstance(source, str | Path):
            if not Path(source).is_file():
                raise InvalidArgument(f"source {str(source)!r} is not a file (a path was given).")
            self.file = open(source, "rb")
            return self.file
        if callable(getattr(source, "read", None)):
            return source  # type: ignore[return-value]
        raise InvalidArgument(
            "source must be bytes, a path, or a file object open in binary mode; "
            f"got {type(source).__name__}."
        )

    def __exit__(self, *exc: object) -> None:
        if self.file is not None:
            self.file.close()


class RemoteModel(RemoteRow, ModelMethods[RemoteVersion]):
    """A registered model on a server, with ``RegisteredModel``'s methods."""

    id: int
    name: str
    context: str

    def __repr__(self) -> str:
        return f"<RemoteModel {self.id} {self.name!r} in {self.context!r}>"

    @property
    def _path(self) -> str:
        return f"/models/{self.id}"

    @property
    def versions(self) -> list[RemoteVersion]:
        """The live versions, by number (read afresh)."""
        return [
            RemoteVersion(self._client, item)
            for item in self._client.every(self._path + "/versions")
        ]

    def _create_version(
        self, fields: dict[str, Any], formats: dict[str, Source] | None
    ) -> RemoteVersion:
        if formats is not None and not isinstance(formats, dict):
            raise InvalidArgument(
                f"formats must be a dict of format id to file; got {type(formats).__name__}."
            )
        made = RemoteVersion(
            self._client, self._client.call("POST", self._path + "/versions", json=fields)
        )
        for format_id, source in (formats or {}).items():
            made.add_format(format_id, source)
        return made.refresh() if formats else made

    def version(self, number: int) -> RemoteVersion:
        """The live version numbered ``number``."""
        check_number(number, "number")
        return RemoteVersion(self._client, self._client.get(f"{self._path}/versions/{number}"))

    def latest(self, published: bool | None = None) -> RemoteVersion:
        """The highest-numbered version: any (None), published (True) or unpublished (False)."""
        params = {} if published is None else {"published": published}
        return RemoteVersion(self._client, self._client.get(self._path + "/latest", **params))

    def history(self) -> list[AuditEntry]:
        """Every change to this model and its versions, oldest first."""
        return entries(self._client.get(self._path + "/history"))

    def update_columns(self, **values: Any) -> Self:
        """Send changed fields to the server and take its answer."""
        return self._update(self._client.call("PATCH", self._path, json=values))

    def flip_star(self) -> Self:
        """Toggle ``is_starred``."""
        return self.update_columns(is_starred=not self.is_starred)

    def delete(self, force: bool = False) -> dict[str, int]:
        """Delete this model with its versions and files; published ones need ``force``."""
        return self._client.call("DELETE", self._path, params={"force": force})["deleted"]


class RemoteRegistry(Registry):
    """``Registry(url=..., token=...)``: the models of the token's context on a server.

    Args:
        context: The token's context, or None; another context is refused (a token works
            in its own context only).
        url: The server's address, e.g. ``http://models.example.org:8000``.
        token: An assay token (``assay token create``).
    """

    def __init__(self, context: str | None = None, *, url: str, token: str) -> None:
        self._client = Client(url, token)
        me = self._client.get("/me")
        if context is not None and clean_name(context, "context") != me["context"]:
            raise InvalidArgument(
                f"context must be the token's context {me['context']!r} on a server; got "
                f"{context!r}. Ask an admin of {context!r} for a token of that context."
            )
        self.context = me["context"]
        self.user = me["user"]

    def __repr__(self) -> str:
        return f"<Registry context={self.context!r} on {self._client.url} as {self.user!r}>"

    def _create_model(
        self, name: str, tags: str | list[str] | None, description: str | None
    ) -> RemoteModel:
        body = {"name": name, "tags": tags, "description": description}
        return RemoteModel(self._client, self._client.call("POST", "/models", json=body))

    def _find_models(self, context: str | None, query: dict[str, Any]) -> list[RemoteModel]:
        if context is not None and context != self.context:
            raise InvalidArgument(
                f"context must be the token's context {self.context!r} on a server; got "
                f"{context!r}."
            )
        params: dict[str, Any] = {"sort_by": query["sort_by"], "ascending": query["ascending"]}
        if query["search"] is not None:
            params["search"] = query["search"]
        if query["tags"] is not None:
            params["tag"] = clean_tags(query["tags"])
        found = self._client.every("/models", **params)
        return [RemoteModel(self._client, item) for item in found]

    def model(self, name: str | int) -> RemoteModel:
        """The model with this name in the token's context, or with this id."""
        if isinstance(name, int) and not isinstance(name, bool):
            return RemoteModel(self._client, self._client.get(f"/models/{name}"))
        clean_name(name)
        return RemoteModel(
            self._client, self._client.get(f"/models/by-name/{quote(name, safe='')}")
        )

    def close(self) -> None:
        """Close the connections to the server."""
        self._client.close()
