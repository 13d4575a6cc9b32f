"""The ``assay`` command: look into a metastore and run the demo from a shell."""

from __future__ import annotations

import typer

app = typer.Typer(
    help="assay: rigorous, reproducible machine learning with a metastore.",
    no_args_is_help=True,
    add_completion=False,
)


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
def demo() -> None:
    """Run the demo experiment on the current metastore."""
    from assay.demo import main

    main()


if __name__ == "__main__":
    app()
