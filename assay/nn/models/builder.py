"""ModelBuilder: how to build a model (head, body, tail), its optimiser and its loss, on demand.

Users describe a model once; the builder makes fresh copies whenever training asks (one per
model of an ensemble, one per fold). Blocks are given as classes, configured with
``functools.partial`` or ``model_args``; the builder passes each block the arguments that
depend on the data and on the other blocks:

- heads: ``cont_feats``, ``cat_embedder``, ``lookup_init``, ``freeze``
- bodies: ``n_in`` (the head's ``out_sz``), ``feat_map`` (the head's), ``lookup_init``,
  ``lookup_act``, ``freeze``
- tails: ``n_in`` (the body's ``out_sz``), ``n_out``, ``objective``, ``lookup_init``, ``freeze``

Everything is checked when the builder is made, so a mistake shows before any training.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import torch
from torch import nn

from assay.errors import InvalidArgument
from assay.nn.models.activations import lookup_act as default_lookup_act
from assay.nn.models.blocks.base import count_parameters
from assay.nn.models.blocks.bodies import FullyConnected
from assay.nn.models.blocks.heads import CatEmbHead
from assay.nn.models.blocks.tails import (
    LOG_PROBABILITY,
    LOGIT,
    PROBABILITY,
    VALUE,
    ClassRegMulti,
)
from assay.nn.models.embedder import CatEmbedder
from assay.nn.models.initialisations import LookupInit, resolve_lookup_init
from assay.nn.models.losses import WeightedLoss, check_loss, get_loss
from assay.nn.models.objectives import (
    MULTICLASS,
    REGRESSION,
    canonical_objective,
    check_n_out,
)
from assay.nn.models.optimisers import build_optimiser, check_opt_args
from assay.nn.models.signatures import bound_keywords, callable_name, keywords

BUILDER_ARGS: dict[str, tuple[str, ...]] = {
    "head": ("cont_feats", "cat_embedder", "lookup_init", "freeze"),
    "body": ("n_in", "feat_map", "lookup_init", "lookup_act", "freeze"),
    "tail": ("n_in", "n_out", "objective", "lookup_init", "freeze"),
}
DEFAULT_OUTPUT = {REGRESSION: VALUE, MULTICLASS: LOG_PROBABILITY}


class BlockModel(nn.Module):
    """A model built from blocks: ``tail(body(head(x)))``, each block an attribute.

    Args:
        head: Takes the inputs (a flat tensor, or a ``(flat, matrix)`` tuple).
        body: The hidden layers.
        tail: Outputs and their activation; its ``objective`` and ``output_kind`` describe them.
    """

    def __init__(self, head: nn.Module, body: nn.Module, tail: nn.Module):
        super().__init__()
        self.head, self.body, self.tail = head, body, tail

    @property
    def objective(self) -> str:
        """The tail's canonical objective."""
        return canonical_objective(self.tail.objective)

    @property
    def output_kind(self) -> str:
        """What the outputs are: probability, log_probability, logit or value."""
        return getattr(self.tail, "output_kind", DEFAULT_OUTPUT.get(self.objective, PROBABILITY))

    def forward(self, x: torch.Tensor | tuple[torch.Tensor, ...]) -> torch.Tensor:
        """Head, body and tail in turn."""
        return self.tail(self.body(self.head(x)))

    def to_predictions(self, outputs: torch.Tensor) -> torch.Tensor:
        """The outputs as users read them: probabilities, or values for regression.

        Log-probabilities are exponentiated, logits go through a sigmoid or a softmax.
        """
        if self.output_kind == LOG_PROBABILITY:
            return outputs.exp()
        if self.output_kind == LOGIT:
            return outputs.softmax(1) if self.objective == MULTICLASS else outputs.sigmoid()
        return outputs

    def param_count(self, trainable: bool = True) -> int:
        """The number of parameters; only trainable ones when ``trainable``."""
        return count_parameters(self, trainable)


class ModelBuilder:
    """Builds models from head, body and tail blocks, with their optimiser and loss.

    Args:
        objective: ``"classification"`` (binary), ``"multilabel"``, ``"multiclass"`` or
            ``"regression"`` (one or several targets); aliases in ``objectives``.
        cont_feats: Names of the continuous input features, in column order.
        n_out: Number of outputs: 1 for binary, the labels, the classes, or the targets.
        cat_embedder: The categorical features (after the continuous ones) and their embeddings.
        model_args: Other block arguments, ``{"head": {...}, "body": {...}, "tail": {...}}``,
            e.g. ``{"body": {"depth": 4, "width": 64}, "tail": {"y_range": (0, 5)}}``.
        opt_args: The optimiser: ``{"opt": "adam" | "sgd" | ... | a class, "lr": ..., other
            keyword arguments of the optimiser}``.
        loss: ``"auto"`` (from the objective and the tail's outputs), a name in
            ``losses.LOSSES``, a loss class or partial, or a loss module.
        head: Head class (or ``functools.partial`` of one).
        body: Body class (or partial).
        tail: Tail class (or partial).
        pretrain_file: A saved ``state_dict`` (or a dict holding it under ``"model"``) loaded
            into every model built.
        cat_feats: Names of the categorical features; must match the embedder's when both are
            given (an embedder is needed to know their cardinalities).
        lookup_init: Weight-initialisation lookup or its name (``"normal"``, ``"uniform"``,
            ``"kaiming"``, ``"xavier"``, ``"orthogonal"``).
        lookup_act: ``name -> activation layer`` for the bodies.
        freeze_head: Build the head with its parameters untrainable.
        freeze_body: Build the body with its parameters untrainable.
        freeze_tail: Build the tail with its parameters untrainable.
    """

    def __init__(
        self,
        objective: str,
        cont_feats: Sequence[str],
        n_out: int,
        cat_embedder: CatEmbedder | None = None,
        model_args: Mapping[str, Mapping[str, Any]] | None = None,
        opt_args: Mapping[str, Any] | None = None,
        loss: Any = "auto",
        head: Callable[..., nn.Module] = CatEmbHead,
        body: Callable[..., nn.Module] = FullyConnected,
        tail: Callable[..., nn.Module] = ClassRegMulti,
        pretrain_file: str | Path | None = None,
        cat_feats: Sequence[str] | None = None,
        lookup_init: str | LookupInit = "normal",
        lookup_act: Callable[[str], nn.Module] = default_lookup_act,
        freeze_head: bool = False,
        freeze_body: bool = False,
        freeze_tail: bool = False,
    ):
        self.objective = canonical_objective(objective)
        check_n_out(self.objective, n_out)
        self.n_out = n_out
        if isinstance(cont_feats, str) or not isinstance(cont_feats, Sequence):
            raise InvalidArgument(f"cont_feats must be a list of names; got {cont_feats!r}.")
        self.cont_feats = list(cont_feats)
        self.cat_embedder = self._check_embedder(cat_embedder, cat_feats)
        self.cat_feats = [] if self.cat_embedder is None else list(self.cat_embedder.cat_names)
        self.head, self.body, self.tail = head, body, tail
        self.lookup_init = resolve_lookup_init(lookup_init)
        if not callable(lookup_act):
            raise InvalidArgument(
                f"lookup_act must be a function name -> layer; got {lookup_act!r}."
            )
        self.lookup_act = lookup_act
        self.freeze_head, self.freeze_body, self.freeze_tail = freeze_head, freeze_body, freeze_tail
        self.model_args = self._check_model_args(model_args)
        self.opt_args = check_opt_args(opt_args)
        self.loss = check_loss(loss)
        self.pretrain_file = None if pretrain_file is None else Path(pretrain_file)
        if self.pretrain_file is not None and not self.pretrain_file.is_file():
            raise InvalidArgument(
                f"pretrain_file must be a saved model file; got {str(pretrain_file)!r}, "
                "which does not exist."
            )
        self._check_builds()

    @property
    def n_cont_in(self) -> int:
        """The number of continuous inputs."""
        return len(self.cont_feats)

    @property
    def n_cat_in(self) -> int:
        """The number of categorical inputs."""
        return len(self.cat_feats)

    def _check_embedder(
        self, cat_embedder: CatEmbedder | None, cat_feats: Sequence[str] | None
    ) -> CatEmbedder | None:
        if cat_embedder is not None and not isinstance(cat_embedder, CatEmbedder):
            raise InvalidArgument(
                f"cat_embedder must be a CatEmbedder or None; got {type(cat_embedder).__name__}."
            )
        if cat_feats is None:
            return cat_embedder
        if cat_embedder is None and list(cat_feats):
            raise InvalidArgument(
                f"cat_feats {list(cat_feats)} need a cat_embedder giving their cardinalities, "
                "e.g. CatEmbedder(cat_names, cat_cardinalities) or CatEmbedder.from_fy(fy)."
            )
        if cat_embedder is not None and list(cat_feats) != cat_embedder.cat_names:
            raise InvalidArgument(
                f"cat_feats must equal the cat_embedder's names {cat_embedder.cat_names}; "
                f"got {list(cat_feats)}."
            )
        return cat_embedder

    def _check_model_args(
        self, model_args: Mapping[str, Mapping[str, Any]] | None
    ) -> dict[str, dict[str, Any]]:
        if model_args is None:
            model_args = {}
        if not isinstance(model_args, Mapping):
            raise InvalidArgument(f"model_args must be a dict; got {type(model_args).__name__}.")
        unknown = sorted(set(model_args) - set(BUILDER_ARGS))
        if unknown:
            raise InvalidArgument(
                f"model_args keys must be among 'head', 'body', 'tail'; got {unknown}."
            )
        checked = {}
        for part, owned in BUILDER_ARGS.items():
            block = getattr(self, part)
            args = dict(model_args.get(part) or {})
            if not callable(block) or isinstance(block, nn.Module):
                raise InvalidArgument(
                    f"{part} must be a block class or a functools.partial of one, not an "
                    f"instance; got {block!r}."
                )
            accepted, open_ended = keywords(block)
            missing = [name for name in owned if name not in accepted and not open_ended]
            if missing:
                raise InvalidArgument(
                    f"{part} {callable_name(block)} must accept the arguments the builder sets: "
                    f"{missing} are missing."
                )
            preset = sorted((set(args) | bound_keywords(block)) & set(owned))
            if preset:
                raise InvalidArgument(
                    f"{part} arguments {preset} are set by the ModelBuilder; remove them from "
                    "model_args and the partial (use the builder's own arguments)."
                )
            extra = sorted(set(args) - accepted) if not open_ended else []
            if extra:
                raise InvalidArgument(
                    f"model_args[{part!r}] has {extra}, which {callable_name(block)} does not "
                    f"take; it takes {sorted(accepted - set(owned))}."
                )
            checked[part] = args
        return checked

    def get_head(self) -> nn.Module:
        """A new head."""
        return self.head(
            cont_feats=self.cont_feats,
            cat_embedder=self.cat_embedder,
            lookup_init=self.lookup_init,
            freeze=self.freeze_head,
            **self.model_args["head"],
        )

    def get_body(self, n_in: int, feat_map: Mapping[str, Sequence[int]]) -> nn.Module:
        """A new body taking ``n_in`` inputs laid out as ``feat_map`` says."""
        return self.body(
            n_in=n_in,
            feat_map=feat_map,
            lookup_init=self.lookup_init,
            lookup_act=self.lookup_act,
            freeze=self.freeze_body,
            **self.model_args["body"],
        )

    def get_tail(self, n_in: int) -> nn.Module:
        """A new tail taking ``n_in`` inputs."""
        return self.tail(
            n_in=n_in,
            n_out=self.n_out,
            objective=self.objective,
            lookup_init=self.lookup_init,
            freeze=self.freeze_tail,
            **self.model_args["tail"],
        )

    def _assemble(self) -> BlockModel:
        head = self._built("head", self.get_head)
        body = self._built("body", self.get_body, head.out_sz, getattr(head, "feat_map", {}))
        return BlockModel(head, body, self._built("tail", self.get_tail, body.out_sz))

    @staticmethod
    def _built(part: str, get: Callable[..., nn.Module], *args: Any) -> nn.Module:
        try:
            return get(*args)
        except TypeError as exc:  # e.g. a required block argument left out of model_args
            raise InvalidArgument(f"the {part} could not be built: {exc}") from exc

    def _check_builds(self) -> None:
        """Build once on PyTorch's meta device, so that bad block arguments show now.

        The meta device allocates no memory and draws no random numbers, so this costs
        little and leaves seeded builds as they were.
        """
        try:
            with warnings.catch_warnings(), torch.device("meta"):
                warnings.simplefilter("ignore")
                self._assemble()
        except InvalidArgument:
            raise
        except Exception:
            pass  # a custom block that cannot be built on meta is checked when first built

    def build_model(self) -> BlockModel:
        """A new model, head to tail, with the ``pretrain_file`` weights loaded when given."""
        model = self._assemble()
        if self.pretrain_file is not None:
            self.load_pretrained(model)
        return model

    def load_pretrained(self, model: nn.Module) -> nn.Module:
        """Load ``pretrain_file`` into ``model``.

        Raises:
            InvalidArgument: When the file does not hold a state dict that fits the model.
        """
        state = torch.load(self.pretrain_file, map_location="cpu", weights_only=True)
        if isinstance(state, Mapping) and isinstance(state.get("model"), Mapping):
            state = state["model"]
        if not isinstance(state, Mapping):
            raise InvalidArgument(
                f"pretrain_file {str(self.pretrain_file)!r} must hold a state_dict (or a dict "
                "with one under 'model'); it holds a "
                f"{type(state).__name__}."
            )
        try:
            model.load_state_dict(state)
        except RuntimeError as exc:
            raise InvalidArgument(
                f"pretrain_file {str(self.pretrain_file)!r} does not fit the model built: {exc}"
            ) from exc
        return model

    def get_optimiser(self, model: nn.Module) -> torch.optim.Optimizer:
        """The optimiser of ``opt_args`` over all of ``model``'s parameters.

        Frozen parameters get no gradient, so they stay as they are until unfrozen.
        """
        return build_optimiser(model.parameters(), self.opt_args)

    def get_loss(self, model: BlockModel | None = None) -> WeightedLoss:
        """A new loss (see ``losses``): ``loss(y_pred, y)`` or ``loss(y_pred, y, weights)``.

        With ``loss="auto"`` it follows the objective and what the tail outputs; pass the
        model built to save building a tail to look at.
        """
        if model is None:
            model = BlockModel(nn.Identity(), nn.Identity(), self.get_tail(1))
        return get_loss(self.objective, model.output_kind, self.loss)

    def get_model(self) -> tuple[BlockModel, torch.optim.Optimizer, WeightedLoss]:
        """A new ``(model, optimiser, loss)``."""
        model = self.build_model()
        return model, self.get_optimiser(model), self.get_loss(model)

    def set_lr(self, lr: float) -> None:
        """Set the learning rate of the optimisers built from now on."""
        if isinstance(lr, bool) or not isinstance(lr, (int, float)) or lr <= 0:
            raise InvalidArgument(f"lr must be a positive number; got {lr!r}.")
        self.opt_args["lr"] = float(lr)

    def param_count(self, trainable: bool = True) -> int:
        """The number of parameters of the model this builder builds."""
        return self.build_model().param_count(trainable)

    def __repr__(self) -> str:
        blocks = ", ".join(
            f"{part}={callable_name(getattr(self, part))}" for part in ("head", "body", "tail")
        )
        return (
            f"ModelBuilder(objective={self.objective!r}, n_cont_in={self.n_cont_in}, "
            f"n_cat_in={self.n_cat_in}, n_out={self.n_out}, {blocks})"
        )
