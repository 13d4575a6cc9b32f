"""Each encoder, decoder and combiner: the shapes it takes and gives; their documentation."""

import pytest
import torch

from assay.declarative.combiners import combiner_registry
from assay.declarative.config import SKIP
from assay.declarative.decoders import decoder_registry
from assay.declarative.encoders import encoder_registry
from assay.declarative.features import feature_type_registry
from assay.declarative.params import parameters_of

BATCH = 5
TOKENS = {"kind": "tokens", "vocab_size": 12}
SERIES = {"kind": "series"}
IMAGE = {"kind": "image", "channels": 3, "height": 8, "width": 6}
#: (encoder, input, sample shape, meta, output width with default parameters)
CASES = [
    ("passthrough", torch.randn(BATCH, 1), (1,), {}, 1),
    ("dense", torch.randn(BATCH, 3), (3,), {}, 32),
    ("dense", torch.rand(BATCH, 3 * 8 * 6), (3 * 8 * 6,), IMAGE, 32),
    ("embed", torch.tensor([[0.0], [1.0], [-1.0], [2.0], [0.0]]), (1,), {"vocab_size": 3}, 16),
    ("rnn", torch.randint(0, 12, (BATCH, 7)).float(), (7,), TOKENS, 32),
    ("rnn", torch.randn(BATCH, 7), (7,), SERIES, 32),
    ("parallel_cnn", torch.randint(0, 12, (BATCH, 7)).float(), (7,), TOKENS, 64),
    ("parallel_cnn", torch.randn(BATCH, 7), (7,), SERIES, 64),
    ("stacked_cnn", torch.rand(BATCH, 3 * 8 * 6), (3 * 8 * 6,), IMAGE, 64),
]


@pytest.mark.parametrize(("name", "inputs", "shape", "meta", "width"), CASES)
def test_encoders_give_one_vector_per_sample(name, inputs, shape, meta, width):
    encoder = encoder_registry[name](shape, meta)
    out = encoder(inputs)
    assert out.shape == (BATCH, width) == (BATCH, encoder.output_size)
    assert torch.isfinite(out).all()


def test_encoder_parameters_change_the_output():
    rnn = encoder_registry["rnn"]((7,), TOKENS, state_size=6, bidirectional=True, cell_type="gru")
    assert rnn(torch.randint(0, 12, (BATCH, 7)).float()).shape == (BATCH, 12)
    cnn = encoder_registry["parallel_cnn"]((7,), TOKENS, num_filters=3, filter_sizes=[2, 3])
    assert cnn(torch.randint(0, 12, (BATCH, 7)).float()).shape == (BATCH, 6)
    stacked = encoder_registry["stacked_cnn"]((3 * 8 * 6,), IMAGE, num_layers=3, fc_size=0)
    assert stacked(torch.rand(BATCH, 3 * 8 * 6)).shape == (BATCH, stacked.output_size)
    embed = encoder_registry["embed"]((1,), {"vocab_size": 3}, embedding_size=4)
    assert embed(torch.zeros(BATCH, 1)).shape == (BATCH, 4)


def test_the_last_real_token_is_read_not_the_padding():
    rnn = encoder_registry["rnn"]((4,), TOKENS)
    short = torch.tensor([[3.0, 4.0, 0.0, 0.0]])
    padded_more = torch.tensor([[3.0, 4.0, 0.0, 0.0, 0.0, 0.0]])
    assert torch.allclose(rnn(short), rnn(padded_more))


@pytest.mark.parametrize(
    ("name", "classes"), [("regressor", 1), ("classifier", 4), ("classifier", 1)]
)
def test_decoders_give_one_value_per_output(name, classes):
    decoder = decoder_registry[name](10, classes, num_fc_layers=2, fc_size=7)
    assert decoder(torch.randn(BATCH, 10)).shape == (BATCH, classes)


def test_concat_joins_the_encodings():
    combiner = combiner_registry["concat"]([2, 3], num_fc_layers=0)
    assert combiner([torch.randn(BATCH, 2), torch.randn(BATCH, 3)]).shape == (BATCH, 5)
    combiner = combiner_registry["concat"]([2, 3])
    assert combiner.output_size == 64


@pytest.mark.parametrize(
    ("registry", "skip"),
    [
        (encoder_registry, SKIP["encoder"]),
        (decoder_registry, SKIP["decoder"]),
        (combiner_registry, SKIP["combiner"]),
        (feature_type_registry, 0),
    ],
)
def test_every_registered_class_documents_every_parameter(registry, skip):
    for name in registry:
        for parameter in parameters_of(registry[name], skip=skip):
            assert parameter.doc and not parameter.required, (name, parameter.name)
