"""The Gaussian-process sampler: Bayesian optimization with Optuna's GPSampler (needs torch)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from assay.errors import require
from assay.search.samplers.study import OptunaSampler

if TYPE_CHECKING:
    import optuna


class GPSampler(OptunaSampler):
    """Optuna's GPSampler, driven by ask and tell: a Gaussian process with log expected improvement.

    Suits a few dozen trials of an expensive objective over floats and ints; it needs PyTorch
    (the ``torch`` extra). Options go to ``optuna.samplers.GPSampler`` (e.g.
    ``n_startup_trials=10``). See ``OptunaSampler`` for resuming.
    """

    def make_optuna_sampler(self, seed: int, **options: Any) -> optuna.samplers.BaseSampler:
        """``optuna.samplers.GPSampler(seed=seed, **options)``."""
        require("torch", extra="torch", caller="GPSampler")
        import optuna

        return optuna.samplers.GPSampler(seed=seed, **options)
