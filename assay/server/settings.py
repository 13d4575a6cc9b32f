"""What a server is set up with: upload limit, session secret, the context of the experiments.

The metastore is the current one (``ASSAY_DATABASE_URL`` or ``ASSAY_HOME``), as for every
other assay call. ``ServerSettings.from_env()`` reads the rest from the environment, so that
every worker process of one server agrees (``ASSAY_SESSION_SECRET`` above all).
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field

from assay.errors import InvalidArgument
from assay.registry.checks import clean_name

#: The default limit of one uploaded file: 1 GiB.
DEFAULT_MAX_UPLOAD_BYTES = 1 << 30
#: What a multipart body may hold besides the file (boundaries, part headers).
MULTIPART_SLACK = 64 * 1024


@dataclass(frozen=True)
class ServerSettings:
    """The settings of one server.

    Args:
        max_upload_bytes: The largest model file an upload may carry; larger ones get 413.
        session_secret: Signs the dashboard's session cookies; random per process when None
            (set ``ASSAY_SESSION_SECRET`` when several workers serve one site).
        data_context: The context that Datasets, Queues, Runs and Predictions belong to
            (they have no context of their own); tokens of other contexts do not see them.
    """

    max_upload_bytes: int = DEFAULT_MAX_UPLOAD_BYTES
    session_secret: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    data_context: str = "default"

    def __post_init__(self) -> None:
        size = self.max_upload_bytes
        if isinstance(size, bool) or not isinstance(size, int) or size < 1:
            raise InvalidArgument(f"max_upload_bytes must be a positive int; got {size!r}.")
        if not isinstance(self.session_secret, str) or len(self.session_secret) < 16:
            raise InvalidArgument("session_secret must be a str of at least 16 characters.")
        clean_name(self.data_context, "data_context")

    @classmethod
    def from_env(cls) -> ServerSettings:
        """Settings from ``ASSAY_MAX_UPLOAD_MB``, ``ASSAY_SESSION_SECRET``, ``ASSAY_DATA_CONTEXT``."""
        values: dict[str, object] = {}
        if megabytes := os.environ.get("ASSAY_MAX_UPLOAD_MB"):
            if not megabytes.isdigit():
                raise InvalidArgument(
                    f"ASSAY_MAX_UPLOAD_MB must be a whole number of MiB; got {megabytes!r}."
                )
            values["max_upload_bytes"] = int(megabytes) << 20
        if secret := os.environ.get("ASSAY_SESSION_SECRET"):
            values["session_secret"] = secret
        if context := os.environ.get("ASSAY_DATA_CONTEXT"):
            values["data_context"] = context
        return cls(**values)  # type: ignore[arg-type]
