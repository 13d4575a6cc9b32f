"""The ``assay`` command: look into a metastore and run the demo from a shell."""

from __future__ import annotations

import typer

from assay.declarative.commands import register_commands
from assay.endpoint.cli import serve
from assay.integrations import cli as integrations_cli
from assay.plugins.cli import plugins
from assay.registry.cli import app as registry_app
from assay.registry.cli import reporting
from assay.server.cli import server, token_app

app = typer.Typer(
    help="assay: rigorous, reproducible machine learning with a metastore.",
    no_args_is_help=True,
    add_completion=False,
)
app.add_typer(registry_app, name="registry")
app.add_typer(token_app, name="token")
app.command()(server)
register_commands(app)
app.command()(plugins)
app.command()(serve)


@app.command()
def info() -> None:
    """Print where the metastore is and how many rows each table holds."""
    from assay.summary import metastore_summary

    typer.echo(metastore_summary())


@app.command()
def datasets() -> None:
    """List the registered Datasets with their versions and shapes."""
    from assay.summary import datasets_frame

    frame = datasets_frame()
    typer.echo(frame.to_string(index=False) if len(frame) else "No datasets registered yet.")


@app.command()
def queues() -> None:
    """List the Queues: name, what they train, and how many of their runs are done."""
    from assay.orm import Queue
    from assay.summary import queue_status_counts

    rows = Queue.select_where()
    if not rows:
        typer.echo("No queues yet.")
        return
    width = max(len(queue.name or "-") for queue in rows)
    for queue in rows:
        algorithm = queue.algorithm
        counts = queue_status_counts(queue)
        problems = ", ".join(
            f"{counts[status]} {status}"
            for status in ("running", "failed", "stopped", "abandoned")
            if counts[status]
        )
        typer.echo(
            f"Queue {queue.id:>4}  {queue.name or '-':<{width}}  "
            f"{algorithm.library:<8} {algorithm.analysis_type:<22} "
            f"Splitset {queue.splitset_id:>4}  {counts['succeeded']:>4}/{queue.total_runs} runs"
            + (f"  ({problems})" if problems else "")
            + (f"  {queue.description}" if queue.description else "")
        )


@app.command()
def runs(queue_id: int = typer.Argument(..., help="The Queue whose runs to show.")) -> None:
    """Show each run of a Queue with its status and message (works while the queue runs).

    A run left running by a process that has ended shows as stopped (the row is not changed).
    """
    from assay.errors import NotFound
    from assay.orm import Queue
    from assay.summary import queue_status_counts, run_status

    try:
        queue = Queue.get_by_id(queue_id)
    except NotFound as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(code=1) from exc
    counts = queue_status_counts(queue)
    typer.echo(
        f"Queue {queue.id}: {counts['succeeded']} of {queue.total_runs} runs succeeded, "
        + ", ".join(
            f"{count} {status}"
            for status, count in counts.items()
            if count and status != "succeeded"
        )
    )
    for run in queue.runs:
        epochs = len(run.epochs)
        status, why = run_status(run)
        detail = "".join(f"  {text}" for text in (why, run.message) if text)
        typer.echo(
            f"  run {run.id:>4}  job {run.job_id:>4}  repeat {run.repeat_index}  "
            f"{status:<9}  {epochs:>4} epochs{detail}"
        )


@app.command()
@reporting
def demo(
    output: str = typer.Argument("assay_demo_output", help="Where the metrics and plots go."),
    integration: integrations_cli.Names = None,
    integration_option: integrations_cli.Options = None,
) -> None:
    """Run the demo experiment on the current metastore.

    Example: ``assay demo --integration tensorboard`` (then ``tensorboard --logdir
    ~/.assay/tensorboard``).
    """
    from assay.demo import main

    with integrations_cli.switched_on(integration, integration_option):
        main([output])


if __name__ == "__main__":
    app()
