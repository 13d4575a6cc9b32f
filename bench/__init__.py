"""Benchmarks: each compares assay against the raw library work in the same run."""
