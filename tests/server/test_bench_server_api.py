"""The API benchmark seeds runs in bulk and times each list route; small sizes only: this
checks that it works, not how fast anything is (``assay server`` itself is started by
``tests/server/test_tokens.py``)."""

from assay.orm import Run
from assay.registry import Registry
from assay.server.tokens import create_token
from bench.server_api import report, routes, seed, time_routes


def test_it_seeds_runs_and_times_every_list_route(live_server, capsys):
    ids = seed(runs=120, epochs=2, models=3)
    assert len(Run.select_where()) == 120 and len(Registry().models()) == 4
    token = create_token("bench", role="viewer").secret
    figures = time_routes(live_server, token, routes(ids, 120), requests=2)
    assert "runs, last page" in figures and "models" in figures
    assert all(0 < figure["p50_ms"] <= figure["p95_ms"] for figure in figures.values())
    report(figures, 120, 2, seeded=0.5)
    assert "worst p95" in capsys.readouterr().out
