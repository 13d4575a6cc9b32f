"""Pure preprocessing: interpolate, encode, window, shape and stratify arrays and frames."""
