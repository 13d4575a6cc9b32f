"""The methods that a model and a version share locally and on a server, written once.

``RegisteredModel`` and ``RemoteModel`` take ``ModelMethods``, ``ModelVersion`` and
``RemoteVersion`` take ``VersionMethods``: the signature and docstring users read are the
same in both places, and each class supplies only how it stores a change
(``update_columns``) or makes a version (``_create_version``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Generic, Self, TypeVar

if TYPE_CHECKING:
    from assay.registry.tables import Source

#: The class of a version: ``ModelVersion`` locally, ``RemoteVersion`` on a server.
V = TypeVar("V")


def not_none(**given: Any) -> dict[str, Any]:
    """The fields given (not None): None leaves a field as it is."""
    return {key: value for key, value in given.items() if value is not None}


class ModelMethods(Generic[V]):
    """``create_version`` and ``edit`` of a registered model."""

    def update_columns(self, **values: Any) -> Self:
        """Store changed fields through the audited path."""
        raise NotImplementedError

    def _create_version(self, fields: dict[str, Any], formats: dict[str, Source] | None) -> V:
        raise NotImplementedError

    def create_version(
        self,
        description: str | None = None,
        tags: str | list[str] | None = None,
        hyperparameters: Any = None,
        config: dict[str, Any] | None = None,
        records: list[Any] | None = None,
        formats: dict[str, Source] | None = None,
    ) -> V:
        """A new version, numbered one past the highest number this model ever had.

        On a server each file of ``formats`` is uploaded after the version is made; a refused
        one leaves the version without it (add it again with ``add_format``).

        Args:
            description: Markdown text.
            tags: A list or a comma-separated str; each at most 32 characters.
            hyperparameters: Any JSON value, usually a dict.
            config: A JSON object that a deployment reads.
            records: The training data: Dataset ids or Datasets (locally; ids of the
                server's metastore on a server), or references (str).
            formats: Files to upload with it, by format id (as ``add_format`` takes them).

        Raises:
            InvalidArgument: A bad argument, an unknown format, or a 31st live version.
            NotFound: A Dataset in ``records`` does not exist.
        """
        fields = {
            "description": description,
            "tags": tags,
            "hyperparameters": hyperparameters,
            "config": config,
            "records": records,
        }
        return self._create_version(fields, formats)

    def edit(
        self,
        name: str | None = None,
        description: str | None = None,
        tags: str | list[str] | None = None,
    ) -> Self:
        """Change the name, markdown description or tags; None leaves one as it is."""
        return self.update_columns(**not_none(name=name, description=description, tags=tags))


class VersionMethods:
    """``edit`` of a model version."""

    def update_columns(self, **values: Any) -> Self:
        """Store changed fields through the audited path."""
        raise NotImplementedError

    def edit(
        self,
        description: str | None = None,
        tags: str | list[str] | None = None,
        hyperparameters: Any = None,
        config: dict[str, Any] | None = None,
        records: list[Any] | None = None,
    ) -> Self:
        """Change fields of an unpublished version; None leaves a field as it is.

        Raises:
            Frozen: The version is published.
        """
        return self.update_columns(
            **not_none(
                description=description,
                tags=tags,
                hyperparameters=hyperparameters,
                config=config,
                records=records,
            )
        )
