from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

from assay.errors import InvalidArgument
from assay.nn.data import FoldYielder, df2foldfile
from assay.nn.models import CatEmbedder, ModelBuilder
from tests.nn.models.conftest import flat_batch


def test_sizes_follow_cardinality_up_to_the_cap():
    embedder = CatEmbedder(["a", "b", "c"], [2, 9, 500], max_emb_sz=20)
    assert embedder.emb_szs == [1, 5, 20]
    assert list(embedder) == [("a", 2, 1), ("b", 9, 5), ("c", 500, 20)]
    assert embedder.n_cat_in == len(embedder) == 3
    assert "b: 9 -> 5" in repr(embedder)
    assert CatEmbedder(["a"], [9], emb_szs=[3]).emb_szs == [3]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"cat_names": ["a", "b"], "cat_cardinalities": [3]}, "one cardinality per name"),
        ({"cat_names": ["a"], "cat_cardinalities": [0]}, "positive integers"),
        ({"cat_names": ["a"], "cat_cardinalities": ["many"]}, "positive integers"),
        ({"cat_names": ["a", "a"], "cat_cardinalities": [2, 2]}, "unique"),
        ({"cat_names": ["a"], "cat_cardinalities": [3], "emb_szs": [1, 2]}, "one size per name"),
        ({"cat_names": ["a"], "cat_cardinalities": [3], "emb_load_path": "/nowhere"}, "folder"),
    ],
)
def test_bad_embedder_arguments(kwargs, message):
    with pytest.raises(InvalidArgument, match=message):
        CatEmbedder(**kwargs)


def test_from_fy_reads_cardinalities_from_the_fold_file(tmp_path):
    rng = np.random.default_rng(0)
    n = 120
    df = pd.DataFrame(
        {
            "x": rng.normal(size=n),
            "y": rng.normal(size=n),
            "colour": rng.choice(["red", "green", "blue"], size=n),
            "grade": rng.choice([1, 2, 3, 4, 5, 6, 7], size=n).astype(float),
            "target": rng.integers(0, 2, size=n),
        }
    )
    df.loc[:4, "grade"] = np.nan  # a missing value gets a code of its own
    path = df2foldfile(
        df, 3, ["x", "y"], ["colour", "grade"], "target", tmp_path / "cats.h5", "int64"
    )
    fy = FoldYielder(path)
    embedder = CatEmbedder.from_fy(fy, max_emb_sz=3)
    assert embedder.cat_names == ["colour", "grade"]
    assert embedder.cat_cardinalities == [3, 8]
    assert embedder.emb_szs == [2, 3]
    builder = ModelBuilder("classification", fy.cont_feats, 1, cat_embedder=embedder)
    model = builder.build_model()
    inputs = fy.get_fold(0)["inputs"]
    assert inputs.shape[1] == 4
    assert model(torch.as_tensor(inputs, dtype=torch.float32)).shape == (len(inputs), 1)

    fy.add_ignore("colour")
    assert CatEmbedder.from_fy(fy).cat_names == ["grade"]
    fy.close()


def test_codes_beyond_the_cardinality_fail_in_the_embedding():
    builder = ModelBuilder("regression", ["x"], 1, cat_embedder=CatEmbedder(["k"], [3]))
    model = builder.build_model()
    assert model(flat_batch(4, 1, [3])).shape == (4, 1)
    x = flat_batch(4, 1, [3])
    x[0, 1] = 3
    with pytest.raises(IndexError):
        model(x)
