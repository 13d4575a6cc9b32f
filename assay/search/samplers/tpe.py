"""The TPE sampler: Bayesian optimization with Optuna's Tree-structured Parzen Estimator."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from assay.search.samplers.study import OptunaSampler

if TYPE_CHECKING:
    import optuna


class TPESampler(OptunaSampler):
    """Optuna's TPE, driven by ask and tell: random for the first trials, then model-guided.

    Never finished by itself unless given ``num_samples``. Options go to
    ``optuna.samplers.TPESampler`` (e.g. ``n_startup_trials=10``, ``multivariate=True``,
    ``constant_liar=True`` for large batches). See ``OptunaSampler`` for resuming.
    """

    def make_optuna_sampler(self, seed: int, **options: Any) -> optuna.samplers.BaseSampler:
        """``optuna.samplers.TPESampler(seed=seed, **options)``."""
        import optuna

        return optuna.samplers.TPESampler(seed=seed, **options)
