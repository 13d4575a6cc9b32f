"""The demo that the README runs: ``python -m assay.demo``.

It registers the data sets that scikit-learn ships into the metastore (``ASSAY_HOME``, by
default ``~/.assay``) and prints what the metastore then holds. Running it twice reuses the
datasets already there (same name and content), so nothing is duplicated.
"""

from __future__ import annotations

import time
import warnings

import pandas as pd


def register_sklearn_datasets() -> dict[str, object]:
    """Register iris, breast cancer, wine, diabetes (tabular) and digits (images) once each."""
    from sklearn import datasets

    from assay.orm import Dataset, DuplicateDatasetWarning

    registered = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DuplicateDatasetWarning)
        for name, loader in [
            ("iris", datasets.load_iris),
            ("breast_cancer", datasets.load_breast_cancer),
            ("wine", datasets.load_wine),
            ("diabetes", datasets.load_diabetes),
        ]:
            frame = loader(as_frame=True).frame
            registered[name] = Dataset.Tabular.from_df(
                frame, name=name, description=f"scikit-learn's {name} data set"
            )
        digits = datasets.load_digits()
        registered["digits"] = Dataset.Image.from_numpy(
            digits.images[:, None, :, :].astype("float32"),
            name="digits",
            description="scikit-learn's 8x8 handwritten digits, one channel",
        )
    return registered


def main() -> None:
    """Run the demo and print a summary of the metastore."""
    from assay.summary import datasets_frame, metastore_summary

    started = time.perf_counter()
    print("Registering the data sets that scikit-learn ships...")
    register_sklearn_datasets()
    with pd.option_context("display.width", 120, "display.max_columns", 20):
        print(datasets_frame().to_string(index=False))
    print()
    print(metastore_summary())
    print(f"\ndemo finished in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
