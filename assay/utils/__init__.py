"""Helpers users call from their own functions, at the paths the spec names."""
