"""Training: one adapter per model library, fit loops, callbacks and the hand-off of arrays."""
