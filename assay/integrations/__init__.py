"""Integrations: third-party systems assay reports to, switched on by name (004's contribs).

``load_integrations(["mlflow"], options={"mlflow": {...}})`` builds them from
``integration_registry``; ``with integrations.active():`` makes every run trained inside the
block call their hooks (``base.Integration``: ``train_init``, ``train_epoch_end``,
``train_model``, ``train_end``, ``predict_end``, ``visualize_figure``, ``serve``, ...). The
commands take ``--integration NAME`` (repeatable). Built in: ``mlflow`` (parameters, each
epoch's metrics and the model, to an MLflow tracking URI) and ``tensorboard`` (event files);
their libraries are imported only when such an integration is built. Installed packages add
theirs through the ``assay.integrations`` entry-point group (see docs/plugins.md).
"""

from __future__ import annotations

from assay.integrations.active import (
    ENVIRONMENT,
    Integrations,
    IntegrationWarning,
    call,
    current,
    load_integrations,
)
from assay.integrations.base import HOOKS, Integration
from assay.plugins.registry import ClassRegistry

__all__ = [
    "ENVIRONMENT",
    "HOOKS",
    "Integration",
    "IntegrationWarning",
    "Integrations",
    "call",
    "current",
    "integration_registry",
    "load_integrations",
]

#: Integrations by the name ``--integration`` takes.
integration_registry: ClassRegistry[Integration] = ClassRegistry(
    Integration, "integration", group="assay.integrations"
)


def _register_built_ins() -> None:
    """Assay's own integrations; their libraries load only when one is built."""
    from assay.integrations.mlflow import MlflowIntegration
    from assay.integrations.tensorboard import TensorboardIntegration

    integration_registry["mlflow"] = MlflowIntegration
    integration_registry["tensorboard"] = TensorboardIntegration


_register_built_ins()
