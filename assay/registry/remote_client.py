"""HTTP to an assay server, for the remote ``Registry``: a token, JSON, files, and errors.

Every call sends ``Authorization: Bearer <token>``. A refused call raises the assay error the
server names in ``X-Assay-Error`` (``NotFound``, ``Frozen``, ``InvalidArgument``...), so code
written against the local registry catches the same classes; a status without that header
maps to the nearest class. httpx is imported only when a remote Registry is made.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, BinaryIO

from assay import errors
from assay.errors import AssayError, InvalidArgument, require
from assay.registry.files import verified

if TYPE_CHECKING:
    import httpx

API = "/api/v1"
#: The header a download carries the file's sha256 in (``assay.server.routes.formats``).
SHA256_HEADER = "X-Assay-SHA256"
#: What a download whose bytes do not match the header means.
SENT = "the server sent; the bytes changed on the way. Download it again."
#: The header that names the class of the error behind a refused call.
ERROR_HEADER = "X-Assay-Error"
#: The error raised for a status whose response does not name one.
BY_STATUS: dict[int, type[AssayError]] = {
    401: errors.NotAuthenticated,
    403: errors.PermissionDenied,
    404: errors.NotFound,
    409: errors.Frozen,
    413: InvalidArgument,
}
#: Seconds to wait for the server to answer (uploads and downloads stream meanwhile).
TIMEOUT = 300.0
#: How many items one request of a list asks for.
PAGE = 500


def error_of(response: httpx.Response) -> AssayError:
    """The assay error a refused response means, with the server's message."""
    try:
        detail = response.json().get("detail", response.text)
    except ValueError:
        detail = response.text
    if not isinstance(detail, str):  # a validation error: a list of problems
        detail = "; ".join(
            f"{'.'.join(map(str, item.get('loc', [])))}: {item.get('msg')}" for item in detail
        )
    kind = getattr(errors, response.headers.get(ERROR_HEADER, ""), None)
    if not (isinstance(kind, type) and issubclass(kind, AssayError)):
        kind = BY_STATUS.get(response.status_code, AssayError)
    return kind(f"{detail} (HTTP {response.status_code} from {response.request.url})")


class Client:
    """One server and one token: JSON calls, pages, uploads and verified downloads.

    Args:
        url: The server's address, e.g. ``http://models.example.org:8000``.
        token: An assay token (``assay token create``).
    """

    def __init__(self, url: str, token: str) -> None:
        httpx = require("httpx", extra="client", caller="Registry(url=...)")
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise InvalidArgument(f"url must be an http:// or https:// address; got {url!r}.")
        if not isinstance(token, str) or not token:
            raise InvalidArgument(
                "token must be an assay token (a str); `assay token create` makes one."
            )
        self.url = url.rstrip("/")
        self.http = httpx.Client(
            base_url=self.url + API,
            headers={"Authorization": f"Bearer {token}"},
            timeout=TIMEOUT,
        )

    def call(self, method: str, path: str, **options: Any) -> Any:
        """The JSON of a call's answer; an assay error if it is refused."""
        response = self.http.request(method, path, **options)
        if response.is_error:
            raise error_of(response)
        return response.json()

    def get(self, path: str, **params: Any) -> Any:
        """``GET path?params``."""
        return self.call("GET", path, params=params)

    def every(self, path: str, **params: Any) -> list[Any]:
        """Every item of a paged list, page by page."""
        items: list[Any] = []
        while True:
            page = self.get(path, **params, offset=len(items), limit=PAGE)
            items.extend(page["items"])
            if not page["items"] or len(items) >= page["total"]:
                return items

    def upload(self, path: str, file: BinaryIO, filename: str | None, replace: bool) -> Any:
        """Send a file as ``multipart/form-data`` (streamed by httpx in chunks)."""
        files = {"file": (filename or "upload", file, "application/octet-stream")}
        return self.call("PUT" if replace else "POST", path, files=files)

    def download(self, path: str, write: Callable[[bytes], Any]) -> str:
        """Stream a file to ``write`` and return its sha256, which must match the server's.

        Raises:
            DataChanged: The bytes received do not have the sha256 the server sent.
            AssayError: The server sent no sha256 header, so the bytes cannot be checked.
        """
        url = self.url + API + path
        with self.http.stream("GET", path) as response:
            if response.is_error:
                response.read()
                raise error_of(response)
            expected = response.headers.get(SHA256_HEADER)
            if not expected:
                raise AssayError(
                    f"the download from {url} came without its {SHA256_HEADER} header, so it "
                    "cannot be checked; is the server an assay server of this version?"
                )
            chunks = chunked(response.iter_bytes())
            for chunk in verified(chunks, expected, lambda: f"the download from {url}", SENT):
                write(chunk)
        return expected

    def close(self) -> None:
        """Close the connections to the server."""
        self.http.close()


def chunked(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """The non-empty chunks of a stream."""
    return (chunk for chunk in chunks if chunk)
