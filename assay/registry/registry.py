"""``Registry``: the entry point of the model registry on this metastore.

``Registry()`` works on the metastore that ``ASSAY_DATABASE_URL`` (or ``ASSAY_HOME``) names,
in the context ``"default"``. A context groups models (a team, a project): names are unique
within one, and the server checks permissions per context.
"""

from __future__ import annotations

from typing import Any

from assay.errors import InvalidArgument
from assay.registry.catalog import create_model, find_models, get_model
from assay.registry.checks import clean_name
from assay.registry.tables import RegisteredModel
from assay.store import reading


class Registry:
    """Models by name in one context: create, list, search, open.

    ``Registry(url=..., token=...)`` is the registry of an assay server instead, with the
    same methods (``assay.registry.remote``), in the context of the token.

    Args:
        context: The context to work in; ``"default"`` locally.
        url: An assay server's address, to work on its registry.
        token: The token to call the server with (``assay token create``).
    """

    def __new__(
        cls, context: str | None = "default", *, url: str | None = None, token: str | None = None
    ) -> Registry:
        """A local registry, or with ``url`` a ``RemoteRegistry``."""
        if url is None and token is None:
            return super().__new__(cls)
        if url is None or token is None:
            raise InvalidArgument("a server's registry needs both url and token; got only one.")
        from assay.registry.remote import RemoteRegistry

        return super().__new__(RemoteRegistry)

    def __init__(self, context: str = "default") -> None:
        self.context = clean_name(context, "context")

    def __repr__(self) -> str:
        with reading() as db:
            url = db.get_bind().url.render_as_string(hide_password=True)
        return f"<Registry context={self.context!r} on {url}>"

    def create_model(
        self,
        name: str,
        tags: str | list[str] | None = None,
        description: str | None = None,
    ) -> RegisteredModel:
        """A new model in this registry's context (on a server, the token's).

        Args:
            name: Unique in the context.
            tags: A list or a comma-separated str; each at most 32 characters.
            description: Markdown text, editable any time.

        Raises:
            InvalidArgument: A bad argument, or a name taken in the context.
        """
        return self._create_model(name, tags, description)

    def _create_model(
        self, name: str, tags: str | list[str] | None, description: str | None
    ) -> RegisteredModel:
        return create_model(name, self.context, tags, description)

    def models(
        self,
        search: str | None = None,
        tags: str | list[str] | None = None,
        sort_by: str = "name",
        ascending: bool = True,
        context: str | None = None,
    ) -> list[RegisteredModel]:
        """The models whose name contains ``search`` (any case) and that have every tag.

        Args:
            search: Part of the name; None lists all.
            tags: Tags each model must have, as a list or a comma-separated str.
            sort_by: ``name``, ``time_created`` or ``time_updated``.
            ascending: Sort direction.
            context: Another context to list than this registry's (on a server, only the
                token's context).
        """
        query = {"search": search, "tags": tags, "sort_by": sort_by, "ascending": ascending}
        return self._find_models(context, query)

    def _find_models(self, context: str | None, query: dict[str, Any]) -> list[RegisteredModel]:
        where = self.context if context is None else clean_name(context, "context")
        return find_models(where, **query)

    def model(self, name: str | int) -> RegisteredModel:
        """The model with this name in this context, or with this id.

        Raises:
            NotFound: No such model.
        """
        return get_model(self.context, name)
