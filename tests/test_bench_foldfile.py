"""The fold file benchmark runs end to end (tiny sizes: it checks the benchmark, not speed)."""

from bench.foldfile import COMPRESSIONS, run


def test_it_reads_every_compression_both_ways_and_reports_ratios(capsys):
    ratios = run(repeats=1, folds=2, rows=500)
    assert list(ratios) == list(COMPRESSIONS) and all(ratio > 0 for ratio in ratios.values())
    out = capsys.readouterr().out
    assert out.count("ratio    :") == 3 and "compression=lzf" in out
