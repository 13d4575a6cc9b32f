import pytest
import yaml

from assay.declarative import load_config
from assay.errors import InvalidArgument
from tests.declarative.conftest import config


def error_of(raw) -> str:
    with pytest.raises(InvalidArgument) as caught:
        load_config(raw)
    return str(caught.value)


def test_defaults_are_filled_in_and_names_become_mappings():
    resolved = load_config(config())
    text = resolved["input_features"][3]
    assert text["encoder"] == {
        "type": "rnn",
        "embedding_size": 32,
        "cell_type": "lstm",
        "state_size": 8,
        "num_layers": 1,
        "bidirectional": False,
        "dropout": 0.0,
        "reduce_output": "last",
    }
    assert text["preprocessing"]["tokenizer"] == "words"
    assert resolved["input_features"][0]["encoder"] == {"type": "passthrough"}
    assert resolved["output_features"][0]["decoder"]["type"] == "classifier"
    assert resolved["output_features"][0]["loss"] == "cross_entropy"
    assert resolved["combiner"]["type"] == "concat"
    assert resolved["trainer"]["optimizer"] == "adam"
    assert resolved["splits"]["folds"] is None
    assert resolved["hyperopt"] is None


def test_a_misspelled_key_names_the_key_and_where_it_is():
    raw = config()
    raw["input_features"][3]["encoder"]["hiden_size"] = 8
    message = error_of(raw)
    assert message.startswith("input_features[3].encoder.hiden_size: unknown key")
    assert "'state_size'" in message and "'cell_type'" in message
    assert error_of(config(trainer={"epoch": 3})).startswith("trainer.epoch: unknown key")
    assert "did you mean 'epochs'" in error_of(config(trainer={"epoch": 3}))
    assert error_of(config(spilts={})).startswith("config.spilts: unknown key")
    raw = config()
    raw["input_features"][0]["preprocesing"] = {}
    assert error_of(raw).startswith("input_features[0].preprocesing: unknown key")
    raw = config()
    raw["input_features"][0]["preprocessing"] = {"normalisation": "zscore"}
    assert error_of(raw).startswith("input_features[0].preprocessing.normalisation: unknown key")


def test_unknown_names_list_the_choices():
    raw = config()
    raw["input_features"][0]["type"] = "numeric"
    message = error_of(raw)
    assert "input_features[0].type: unknown feature type 'numeric'" in message
    for name in ("numerical", "category", "binary", "text", "sequence", "timeseries", "image"):
        assert name in message
    raw = config()
    raw["input_features"][3]["encoder"] = {"type": "transformer"}
    assert (
        "'transformer' is an unknown encoder; expected one of ['parallel_cnn', 'rnn']"
        in error_of(raw)
    )
    raw = config()
    raw["input_features"][0]["encoder"] = "rnn"
    assert "a numerical feature cannot use; expected one of ['dense', 'passthrough']" in error_of(
        raw
    )
    raw = config(output_features=[{"name": "species", "type": "category", "decoder": "regressor"}])
    assert "expected one of ['classifier']" in error_of(raw)
    assert "expected one of ['concat']" in error_of(config(combiner="sum"))
    raw = config(output_features=[{"name": "note", "type": "text"}])
    assert "a text feature cannot be an output" in error_of(raw)
    raw = config(output_features=[{"name": "species", "type": "category", "loss": "mse"}])
    assert "output_features[0].loss: 'mse'" in error_of(raw)


def test_values_are_checked_for_type_and_range():
    assert error_of(config(trainer={"epochs": 0})) == "trainer.epochs: must be >= 1; got 0."
    assert "trainer.learning_rate: must be float" in error_of(
        config(trainer={"learning_rate": "x"})
    )
    assert "trainer.optimizer: must be" in error_of(config(trainer={"optimizer": "lbfgs"}))
    assert "must be bool" in error_of(config(splits={"stratify": 1}))
    assert "splits.test_size: must be in (0, 1)" in error_of(config(splits={"test_size": 1.5}))
    assert "needs splits.test_size" in error_of(
        config(splits={"test_size": None, "validation_size": 0.2})
    )
    raw = config()
    raw["input_features"][3]["encoder"]["dropout"] = 1.0
    assert error_of(raw).startswith("input_features[3].encoder.dropout: must be in [0, 1)")


def test_features_need_a_name_a_type_and_one_output():
    assert "config: input_features is required" in error_of({"output_features": []})
    assert "must be a non-empty list" in error_of(config(input_features=[]))
    assert "input_features[0].name: required" in error_of(config(input_features=[{"type": "text"}]))
    two = [{"name": "species", "type": "category"}, {"name": "wide", "type": "binary"}]
    assert "exactly one output feature" in error_of(config(output_features=two))
    raw = config(output_features=[{"name": "garden", "type": "category"}])
    assert "'garden' is already used by input_features[2].name" in error_of(raw)


def test_hyperopt_names_and_values_are_checked_against_the_configuration():
    good = {
        "parameters": {
            "trainer.learning_rate": {"type": "float", "low": 0.001, "high": 0.1, "steps": 3},
            "note.encoder.cell_type": {"type": "category", "values": ["gru", "lstm"]},
            "species.decoder.num_fc_layers": {"type": "int", "low": 0, "high": 2, "steps": 3},
        }
    }
    resolved = load_config(config(hyperopt=good))
    assert (
        resolved["hyperopt"]["sampler"] == "grid" and resolved["hyperopt"]["split"] == "validation"
    )

    def hyperopt_error(parameters, **more):
        return error_of(config(hyperopt={"parameters": parameters, **more}))

    spec = {"type": "category", "values": [1, 2]}
    assert "hyperopt.parameters.training.epochs: a name must be" in hyperopt_error(
        {"training.epochs": spec}
    )
    assert "'hidden' is not a key there" in hyperopt_error({"note.encoder.hidden": spec})
    assert "splits and preprocessing stay fixed" in hyperopt_error({"splits.test_size": spec})
    refused = hyperopt_error(
        {"note.encoder.cell_type": {"type": "category", "values": ["gru", "cnn"]}}
    )
    assert "'cnn' is refused" in refused
    assert "hyperopt.metric: 'r2' is not computed for a category output" in hyperopt_error(
        {"trainer.epochs": spec}, metric="r2"
    )
    assert "unknown executor 'cluster'" in hyperopt_error(
        {"trainer.epochs": spec}, executor="cluster"
    )
    assert "hyperopt: sampler must be one of" in hyperopt_error(
        {"trainer.epochs": spec}, sampler="nope"
    )


def test_yaml_files_and_their_errors(tmp_path):
    path = tmp_path / "exp.yaml"
    path.write_text(yaml.safe_dump(config()))
    assert load_config(str(path)) == load_config(config())
    assert load_config(path)["trainer"]["epochs"] == 4
    path.write_text("input_features: [\n")
    assert error_of(str(path)).startswith("config: not valid YAML")
    assert error_of(str(tmp_path / "missing.yaml")).startswith("config: no such file")
    path.write_text("- a\n- b\n")
    assert "must be a mapping of sections" in error_of(str(path))


def test_a_registered_encoder_is_accepted_checked_and_built(mixed_csv):
    import torch

    from assay.declarative import prepare
    from assay.declarative.encoders import Encoder, encoder_registry

    @encoder_registry.register("bag")
    class Bag(Encoder):
        """The mean of the tokens' vectors.

        Args:
            input_shape: One sample's shape (supplied by assay).
            meta: The feature's metadata (supplied by assay).
            width: The vectors' width.
        """

        accepts = ("tokens",)

        def __init__(self, input_shape, meta, width: int = 4) -> None:
            super().__init__(input_shape, meta)
            self.embedding = torch.nn.EmbeddingBag(meta["vocab_size"], width, padding_idx=0)
            self.output_size = width

        def forward(self, inputs):
            return self.embedding(inputs.long())

    try:
        raw = config(trainer={"epochs": 1})
        raw["input_features"][3]["encoder"] = {"type": "bag", "width": 3}
        assert load_config(raw)["input_features"][3]["encoder"] == {"type": "bag", "width": 3}
        raw["input_features"][3]["encoder"] = {"type": "bag", "widht": 3}
        assert error_of(raw).startswith("input_features[3].encoder.widht: unknown key")
        raw["input_features"][0]["encoder"] = "bag"
        assert "expected one of ['dense', 'passthrough']" in error_of(raw)
        raw = config(trainer={"epochs": 1})
        raw["input_features"][3]["encoder"] = "bag"
        queue = prepare(raw, str(mixed_csv))
        queue.run_jobs(progress=False)
        assert isinstance(queue.predictors[0].get_model().encoders[3], Bag)
    finally:
        del encoder_registry["bag"]
