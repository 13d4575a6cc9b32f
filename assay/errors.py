"""The errors assay raises: one hierarchy, so callers can catch what they mean.

Every message names the argument (or the object), what was given, what was expected and,
where there is one, the way out.
"""

from __future__ import annotations


class AssayError(Exception):
    """Base class of every error that assay raises on purpose."""


class InvalidArgument(AssayError, ValueError):
    """An argument has the wrong type, value or shape; nothing was written."""


class NotFound(AssayError, LookupError):
    """A row, file or column that was asked for does not exist."""


class Frozen(InvalidArgument):
    """A published model version (or its files) cannot change; nothing was written."""


class StillNeeded(AssayError):
    """A row cannot be deleted alone: other rows are built on it; nothing was deleted."""


class DataChanged(AssayError):
    """A file registered without ingestion no longer has the content it was registered with."""


class NotAuthenticated(AssayError):
    """A call to the server came without a token, or with one that is unknown, expired or revoked."""


class PermissionDenied(AssayError):
    """The caller's role does not grant the permission that a call needs; nothing was done."""


class MissingDependency(AssayError, ImportError):
    """An optional library is needed for this call but is not installed."""


def require(module: str, *, extra: str, caller: str) -> object:
    """Import an optional library, or explain which extra installs it.

    Args:
        module: The module to import, e.g. ``"torch"``.
        extra: The ``pip install assay[extra]`` name that provides it.
        caller: What needed it, for the message.

    Returns:
        The imported module.

    Raises:
        MissingDependency: When the module cannot be imported.
    """
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise MissingDependency(
            f"{caller} needs {module!r}, which is not installed; "
            f"install it with `pip install 'assay[{extra}]'`."
        ) from exc
