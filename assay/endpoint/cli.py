"""``assay serve MODEL[@VERSION]``: the prediction endpoint, run by Uvicorn."""

from __future__ import annotations

from typing import Annotated

import typer

from assay.integrations import cli as integrations_cli
from assay.registry.cli import reporting


@reporting
def serve(
    model: Annotated[
        str,
        typer.Argument(
            metavar="MODEL[@VERSION]",
            help="A Predictor id (42), or a registered model's name, optionally @VERSION "
            "(churn, churn@3; the latest version without one).",
        ),
    ],
    host: Annotated[str, typer.Option(help="The address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="The port to listen on.")] = 8000,
    context: Annotated[str, typer.Option(help="The registry context of a name.")] = "default",
    integration: integrations_cli.Names = None,
    integration_option: integrations_cli.Options = None,
) -> None:
    """Serve a model's predictions over HTTP: JSON rows in, decoded predictions out.

    POST /predict takes {"rows": [{"column": value, ...}, ...]} and returns each row's
    prediction and, for classification, its probabilities by class; rows that do not fit
    the model's columns get a 422 naming the row, the column and what was expected.
    GET /metadata lists the columns; /docs is the OpenAPI page.

    Examples: ``assay serve 42``; ``assay serve churn@3 --port 9000``; then

        curl -s localhost:9000/predict -H 'content-type: application/json' -d '{"rows": [{"age": 31, "plan": "pro"}]}'
    """
    from assay.endpoint.app import create_app
    from assay.endpoint.model import resolve

    served = resolve(model, context)
    with integrations_cli.switched_on(integration, integration_option) as integrations:
        import uvicorn

        app = create_app(served)
        integrations.call("serve", app=app, model=served.source, host=host, port=port)
        typer.echo(
            f"Serving {served.source} at http://{host}:{port} "
            "(POST /predict, GET /metadata, docs at /docs); Ctrl-C stops."
        )
        uvicorn.run(app, host=host, port=port, log_level="warning")
