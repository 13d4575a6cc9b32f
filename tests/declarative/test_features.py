"""Each feature type: the metadata it collects and the tensors its coders make."""

import numpy as np
import pandas as pd
import pytest
from PIL import Image as PILImage

from assay.declarative.features import feature_type_registry
from assay.errors import InvalidArgument


def fitted(feature_type, meta, train, other=None):
    """Fit the type's coders on ``train`` in order; encode ``other`` (default: train)."""
    block = np.asarray(train, dtype=object).reshape(-1, 1)
    out = np.asarray(other if other is not None else train, dtype=object).reshape(-1, 1)
    for coder in feature_type.coders(meta):
        coder.fit(block)
        block, out = coder.transform(block), coder.transform(out)
    return out


def test_the_registry_holds_every_type():
    assert {"numerical", "category", "binary", "text", "sequence", "timeseries", "image"} <= set(
        feature_type_registry
    )


def test_numerical_meta_and_coders_fill_and_scale_from_the_training_samples():
    numerical = feature_type_registry["numerical"]()
    values = pd.Series([1.0, 2.0, np.nan, 5.0])
    meta = numerical.get_feature_meta(values, None)
    assert meta == {
        "min": 1.0,
        "max": 5.0,
        "mean": pytest.approx(8 / 3),
        "std": pytest.approx(2.0816659),
        "missing": 1,
    }
    encoded = fitted(numerical, meta, [1.0, 3.0], [np.nan, 5.0])
    assert encoded.ravel().tolist() == [0.0, 3.0]  # filled with the training mean 2, scaled by 1
    minmax = feature_type_registry["numerical"](normalization="minmax")
    assert fitted(minmax, meta, [1.0, 3.0], [2.0]).ravel().tolist() == [0.5]
    with pytest.raises(InvalidArgument, match=r"not numbers, e\.g\. 'x'"):
        numerical.get_feature_meta(pd.Series(["1", "x"]), None)
    label = numerical.label_coder(meta).fit(np.asarray([[1.0], [3.0]]))
    assert label.inverse_transform([[1.0]]).item() == 3.0


def test_category_meta_and_coder_map_unknown_and_missing_to_minus_one():
    category = feature_type_registry["category"]()
    values = pd.Series(["b", "a", "b", None])
    meta = category.get_feature_meta(values, None)
    assert meta["vocabulary"] == ["a", "b"] and meta["vocab_size"] == 2
    assert meta["counts"] == {"b": 2, "a": 1} and meta["missing"] == 1
    encoded = fitted(category, meta, ["a", "b", "b"], ["b", "a", "z", None])
    assert encoded.ravel().tolist() == [1, 0, -1, -1]
    assert category.output_size(meta) == 2
    capped = feature_type_registry["category"](most_common=1)
    assert capped.get_feature_meta(pd.Series(["a", "b", "b", "c"]), None)["vocab_size"] == 2
    with pytest.raises(InvalidArgument, match="1 empty cells"):
        category.label_coder(meta)


def test_binary_finds_its_positive_value_and_needs_two():
    binary = feature_type_registry["binary"]()
    meta = binary.get_feature_meta(pd.Series(["yes", "no", "yes"]), None)
    assert meta["values"] == ["no", "yes"] and meta["positive"] == "yes"
    assert fitted(binary, meta, ["no", "yes"], ["yes", "no", "maybe"]).ravel().tolist() == [
        1,
        0,
        -1,
    ]
    assert binary.get_feature_meta(pd.Series(["true", "false"]), None)["positive"] == "true"
    chosen = feature_type_registry["binary"](positive="no")
    assert chosen.get_feature_meta(pd.Series(["yes", "no"]), None)["values"] == ["yes", "no"]
    with pytest.raises(InvalidArgument, match="must have two values; got 3"):
        binary.get_feature_meta(pd.Series(["a", "b", "c"]), None)
    label = binary.label_coder(meta).fit(np.asarray([["no"], ["yes"]], dtype=object))
    assert label.inverse_transform([[1.0]]).item() == "yes"


def test_text_vocabulary_comes_from_the_training_samples_only():
    text = feature_type_registry["text"]()
    values = pd.Series(["The cat sat.", "a dog", "the dog barked loudly", None])
    meta = text.get_feature_meta(values, None)
    assert meta["kind"] == "tokens" and meta["max_length"] == 4 and meta["missing"] == 1
    assert meta["vocab_size"] == 8 + 2  # the cat sat . a dog barked loudly; + pad, unknown
    encoded = fitted(text, meta, ["the cat sat", "the dog"], ["The dog barked", None])
    # vocabulary by frequency: the=2, then cat, dog, sat alphabetically; barked is unknown (1)
    assert encoded.tolist() == [[2, 4, 1, 0], [0, 0, 0, 0]]
    assert (
        feature_type_registry["text"](max_length=2).get_feature_meta(values, None)["max_length"]
        == 2
    )


def test_sequence_splits_on_spaces_and_keeps_case():
    sequence = feature_type_registry["sequence"]()
    meta = sequence.get_feature_meta(pd.Series(["Login view buy", "login view"]), None)
    assert meta["max_length"] == 3 and meta["vocab_size"] == 4 + 2
    encoded = fitted(sequence, meta, ["Login view buy", "login view"])
    assert encoded[0, 0] != encoded[1, 0]  # Login and login are two tokens


def test_timeseries_meta_and_scaling():
    series = feature_type_registry["timeseries"]()
    values = pd.Series(["1 2 3", "4,5", "7"])
    meta = series.get_feature_meta(values, None)
    assert meta["max_length"] == 3 and meta["min"] == 1.0 and meta["max"] == 7.0
    assert meta["mean"] == pytest.approx(22 / 6)
    encoded = fitted(series, meta, ["1 3", "1 3"], ["3 1 1"])
    assert encoded.tolist() == [[1.0, -1.0, -1.0]]  # mean 2, std 1 of the training values
    raw = feature_type_registry["timeseries"](normalization=None, padding_value=-9.0)
    assert fitted(raw, meta, ["1 3"], ["5"]).tolist() == [[5.0, -9.0, -9.0]]
    with pytest.raises(InvalidArgument, match="numbers separated"):
        series.get_feature_meta(pd.Series(["1 two"]), None)


def test_image_meta_from_the_first_image_and_pixels_channels_first(tmp_path):
    for name, shade in (("dark.png", 0), ("light.png", 255)):
        PILImage.new("L", (6, 4), color=shade).save(tmp_path / name)
    image = feature_type_registry["image"]()
    meta = image.get_feature_meta(pd.Series(["dark.png", "light.png"]), tmp_path)
    assert (meta["height"], meta["width"], meta["channels"]) == (4, 6, 1)
    encoded = fitted(image, meta, ["dark.png", "light.png"])
    assert encoded.shape == (2, 24) and encoded[0].max() == 0.0 and encoded[1].min() == 1.0
    rgb = feature_type_registry["image"](height=2, width=3, channels=3)
    meta = rgb.get_feature_meta(pd.Series(["light.png"]), tmp_path)
    assert fitted(rgb, meta, ["light.png"]).shape == (1, 3 * 2 * 3)
    with pytest.raises(InvalidArgument, match=r"'gone\.png' not found"):
        image.get_feature_meta(pd.Series(["gone.png"]), tmp_path)
