"""The demo that the README runs: ``python -m assay.demo`` (or ``assay demo``).

A complete experiment on the embedded SQLite metastore (``ASSAY_HOME``, by default
``~/.assay``): register scikit-learn's data sets, build a pipeline for breast cancer with
cross-validation folds, search PyTorch hyperparameters over several jobs, print the metrics
table, write the plots as HTML, then reload the best model and predict patients it has never
seen. Outputs go to ``./assay_demo_output`` (or the folder given as the first argument).
"""

from __future__ import annotations

import sys
import time
import warnings
from pathlib import Path
from typing import Any

import pandas as pd


def register_sklearn_datasets() -> dict[str, Any]:
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


def fn_build(features_shape: tuple, label_shape: tuple, **hp: Any) -> Any:
    """A small MLP whose width is a hyperparameter.

    Args:
        features_shape: The shape of one sample's features: ``(30,)``, one per column.
        label_shape: The shape of one sample's label, ``(1,)``; unused, the output is one
            sigmoid probability.
        **hp: One combination from the search; ``hp["neurons"]`` is the hidden width.
    """
    import torch

    return torch.nn.Sequential(
        torch.nn.Linear(features_shape[0], hp["neurons"]),
        torch.nn.ReLU(),
        torch.nn.Dropout(0.1),
        torch.nn.Linear(hp["neurons"], 1),
        torch.nn.Sigmoid(),
    )


def fn_optimize(model: Any, **hp: Any) -> Any:
    """Adamax at the learning rate under search."""
    import torch

    return torch.optim.Adamax(model.parameters(), lr=hp["learning_rate"])


def fn_train(
    model: Any,
    loser: Any,
    optimizer: Any,
    train_features: Any,
    train_label: Any,
    eval_features: Any,
    eval_label: Any,
    **hp: Any,
) -> Any:
    """Assay's PyTorch loop, recording loss and accuracy of both sets each epoch.

    Args:
        model: The MLP that ``fn_build`` returned.
        loser: ``torch.nn.BCELoss()``, the PyTorch adapter's default for binary
            classification, as the demo gives no ``fn_lose``.
        optimizer: The Adamax that ``fn_optimize`` returned.
        train_features: The fold's training samples, scaled, one row per patient.
        train_label: Their 0/1 targets.
        eval_features: The fold's validation samples, scored after every epoch.
        eval_label: Their 0/1 targets.
        **hp: One combination from the search; ``hp["epochs"]`` is the number of passes.
    """
    import torchmetrics

    from assay.utils.pytorch import fit

    return fit(
        model,
        loser,
        optimizer,
        train_features,
        train_label,
        eval_features,
        eval_label,
        epochs=hp["epochs"],
        batch_size=16,
        metrics=[torchmetrics.Accuracy(task="binary")],
    )


def run_experiment(output: Path) -> dict[str, Any]:
    """Pipeline, search, metrics, plots and inference; returns what it made."""
    from sklearn.datasets import load_breast_cancer
    from sklearn.preprocessing import StandardScaler

    from assay.mlops import (
        Architecture,
        Experiment,
        Inference,
        Input,
        Pipeline,
        Stratifier,
        Target,
        Trainer,
    )

    frame = load_breast_cancer(as_frame=True).frame
    seen, unseen = frame.iloc[:500], frame.iloc[500:].reset_index(drop=True)
    print("\n== Pipeline: breast cancer, 500 patients, 3 folds and a test split")
    splitset = Pipeline(
        Input(seen, encoders=Input.Encoder(StandardScaler())),
        Target(seen, column="target"),
        Stratifier(size_test=0.2, fold_count=3),
        description="demo: breast cancer",
    )
    print(
        f"   Splitset {splitset.id}: "
        + ", ".join(f"{k} {v['count']}" for k, v in splitset.sizes.items())
    )

    print("\n== Experiment: a PyTorch MLP, 4 hyperparameter combinations x 3 folds")
    queue = Experiment(
        Architecture(
            "pytorch",
            "classification_binary",
            fn_build,
            fn_train,
            fn_optimize=fn_optimize,
            hyperparameters={"neurons": [8, 32], "learning_rate": [0.01, 0.002], "epochs": [25]},
        ),
        Trainer(splitset, permute_count=2),
        description="demo: MLP search",
    )
    queue.run_jobs()

    metrics = queue.metrics_df(
        selected_metrics=["accuracy", "roc_auc", "f1_macro", "loss"], sort_by=["split", "accuracy"]
    )
    with pd.option_context("display.width", 140, "display.max_rows", 40):
        print("\n== Metrics of every model on its fold's validation samples")
        print(metrics[metrics["split"] == "fold_validation"].to_string(index=False))
        summary = queue.metricsAggregate_df(
            split="fold_validation",
            selected_metrics=["accuracy"],
            selected_stats=["mean", "std"],
            hyperparameters=True,
            sort_by="mean",
        )
        print("\n== Accuracy of each combination over its 3 folds")
        print(summary.to_string(index=False))
    metrics.to_csv(output / "metrics.csv", index=False)

    # The best fold model of the combination with the best mean accuracy over the folds.
    best = queue.best_predictor()
    best_id = best.id
    prediction = best.predictions[0]
    figures = {
        "performance": queue.plot_performance(call_display=False),
        "learning_curve": best.plot_learning_curve(call_display=False),
        "roc": prediction.plot_roc_curve(call_display=False),
        "precision_recall": prediction.plot_precision_recall(call_display=False),
        "confusion_matrix": prediction.plot_confusion_matrix(call_display=False),
        "feature_importance": prediction.plot_feature_importance(call_display=False, top_n=12),
    }
    for name, figure in figures.items():
        # plotly.min.js is written once beside the pages, never fetched from a CDN.
        figure.write_html(output / f"{name}.html", include_plotlyjs="directory")

    print(f"\n== Inference: Predictor {best_id} reloaded, {len(unseen)} unseen patients")
    scored = Inference(best_id, unseen.drop(columns="target"), target_dataset=unseen[["target"]])
    key = next(iter(scored.predictions))
    accuracy = scored.metrics[key]["accuracy"]
    print(f"   predicted classes of the first ten: {scored.predictions[key][:10].tolist()}")
    print(f"   accuracy on the unseen patients: {accuracy:.3f}")
    return {"queue": queue, "best": best, "inference": scored, "figures": list(figures)}


def main(argv: list[str] | None = None) -> None:
    """Run the demo and say where everything is."""
    from assay.summary import datasets_frame, metastore_summary

    argv = sys.argv[1:] if argv is None else argv
    output = Path(argv[0] if argv else "assay_demo_output").resolve()
    output.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    print("== Registering the data sets that scikit-learn ships")
    register_sklearn_datasets()
    with pd.option_context("display.width", 140):
        print(datasets_frame().to_string(index=False))
    run_experiment(output)
    print("\n" + metastore_summary())
    print(f"\nOutputs: {output} (metrics.csv and the plots as HTML; open performance.html)")
    print(f"Demo finished in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
