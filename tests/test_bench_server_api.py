"""The API benchmark seeds runs in bulk, serves them with ``assay server`` and times each list
route; small sizes only: this checks that it works, not how fast anything is."""

from bench.server_api import run


def test_it_seeds_serves_and_times_every_list_route(capsys):
    figures = run(runs=120, requests=2)
    assert "runs, last page" in figures and "models" in figures
    assert all(0 < figure["p50_ms"] <= figure["p95_ms"] for figure in figures.values())
    out = capsys.readouterr().out
    assert "API list routes over 120 runs" in out and "worst p95" in out
