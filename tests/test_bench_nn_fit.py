"""The nn_fit benchmark runs both sides and reports their ratio (small sizes: it checks that
the benchmark works, not how fast anything is)."""

import re

from bench import nn_fit


def test_the_benchmark_trains_both_sides_and_prints_the_ratio(monkeypatch, capsys):
    monkeypatch.setattr(nn_fit, "ROWS", 2_000)
    monkeypatch.setattr(nn_fit, "EPOCHS", 2)

    ratio = nn_fit.run(repeats=1)

    out = capsys.readouterr().out
    assert ratio > 0 and re.search(r"ratio +: +\d+\.\d\d +\(target <= 1\.15\)", out)
    losses = re.search(r"hand (\d\.\d+), Model.fit (\d\.\d+)", out)
    assert losses and all(0 < float(loss) < 0.7 for loss in losses.groups())
