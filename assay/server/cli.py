"""``assay token ...`` and ``assay server``: tokens for the server, and the server itself."""

from __future__ import annotations

from typing import Annotated

import typer

from assay.registry.cli import reporting
from assay.server.tables import ROLES, ApiToken

token_app = typer.Typer(
    help="API tokens for the server: create (shown once), list, revoke.",
    no_args_is_help=True,
    add_completion=False,
)


@token_app.command("create")
@reporting
def create(
    user: Annotated[str, typer.Option(help="Who uses the token.")],
    context: Annotated[str, typer.Option(help="The context it works in.")] = "default",
    role: Annotated[str, typer.Option(help=f"One of {', '.join(ROLES)}.")] = "viewer",
    expires: Annotated[
        str | None, typer.Option(help="A lifetime such as 30d, 12h, 2w; none by default.")
    ] = None,
) -> None:
    """Make a token and print it: this is the only time it is shown."""
    from assay.server.tokens import create_token

    issued = create_token(user, context, role, expires)
    typer.echo(issued.secret)
    typer.echo(f"token {issued.row.id} for {describe(issued.row)}; store it now.", err=True)


def describe(row: ApiToken) -> str:
    """``'ann' as editor in 'default', expires ...``."""
    until = (
        "never expires"
        if row.expires_at is None
        else f"expires {row.expires_at:%Y-%m-%d %H:%M} UTC"
    )
    return f"{row.user!r} as {row.role} in {row.context!r}, {until}"


@token_app.command("list")
@reporting
def list_command(
    context: Annotated[str | None, typer.Option(help="Only this context's tokens.")] = None,
) -> None:
    """List the tokens (never their secrets): id, prefix, user, role, context, state."""
    from assay.server.tokens import list_tokens

    rows = list_tokens(context)
    if not rows:
        typer.echo("No tokens yet; `assay token create --user NAME` makes one.")
        return
    for row in rows:
        state = "revoked" if row.revoked_at is not None else "active"
        used = (
            "never used" if row.last_used_at is None else f"used {row.last_used_at:%Y-%m-%d %H:%M}"
        )
        typer.echo(f"{row.id:>4}  {row.prefix}...  {state:<7}  {describe(row)}, {used}")


@token_app.command("revoke")
@reporting
def revoke(
    token: Annotated[str, typer.Argument(metavar="ID|PREFIX", help="The token's id or prefix.")],
) -> None:
    """Revoke a token: the server refuses it from now on."""
    from assay.server.tokens import revoke_token

    row = revoke_token(token)
    typer.echo(f"revoked token {row.id} ({row.prefix}...) of {row.user!r}")


def server(
    host: Annotated[str, typer.Option(help="The address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="The port to listen on.")] = 8000,
) -> None:
    """Serve the REST API and the dashboard on the current metastore (Ctrl-C stops it)."""
    import uvicorn

    from assay.config import database_url
    from assay.server.app import create_app
    from assay.store import engine

    engine()  # create or migrate the metastore before the first request
    typer.echo(f"assay server on http://{host}:{port} over {safe_url(database_url())}", err=True)
    uvicorn.run(create_app(), host=host, port=port)


def safe_url(url: str) -> str:
    """A database URL without its password, for printing."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
