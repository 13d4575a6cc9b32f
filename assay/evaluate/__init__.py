"""Pure evaluation: metrics, curves, confusion matrices, feature importance and figures."""
