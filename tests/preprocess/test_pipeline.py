import numpy as np
import pandas as pd
from sklearn.preprocessing import MinMaxScaler, StandardScaler

from assay.preprocess.pipeline import EncodeStep, Steps, Windows, decode_block, preprocess


def test_windows_encode_on_train_rows_and_decode_back():
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"level": rng.normal(50, 5, 60), "hour": np.arange(60.0) % 24})
    steps = Steps(
        columns=["level", "hour"],
        coders=[EncodeStep(StandardScaler(), "2D_multiColumn", ["level"])],
        windows=Windows(
            np.arange(10)[None, :] + 5 * np.arange(9)[:, None],
            np.arange(10, 15)[None, :] + 5 * np.arange(9)[:, None],
        ),
    )
    done = preprocess(
        frame, {"train": np.arange(6), "test": np.arange(6, 9)}, steps, train_key="train"
    )
    assert done.arrays["train"].shape == (6, 10, 2) and done.shifted["test"].shape == (3, 5, 2)
    decoded = decode_block(done.shifted["test"], steps, done.fitted)
    np.testing.assert_allclose(decoded[0], frame.to_numpy()[steps.windows.shifted[6]])


def test_decode_block_inverts_chained_coders_and_keeps_passthrough_columns():
    frame = pd.DataFrame(
        {"a": [1.0, 2.0, 3.0, 4.0], "b": [5.0, 6.0, 7.0, 9.0], "c": [9.0, 8.0, 7.0, 6.0]}
    )
    steps = Steps(
        columns=["a", "b", "c"],
        coders=[
            EncodeStep(StandardScaler(), "2D_multiColumn", ["c"]),
            EncodeStep(MinMaxScaler(), "2D_multiColumn", ["a"]),
        ],
    )
    done = preprocess(frame, {"train": np.arange(4)}, steps, train_key="train")
    encoded = done.arrays["train"]  # c, a, then the untouched b
    np.testing.assert_allclose(encoded[:, 2], frame["b"])
    np.testing.assert_allclose(encoded[:, 1], [0, 1 / 3, 2 / 3, 1])
    np.testing.assert_allclose(decode_block(encoded, steps, done.fitted), frame.to_numpy())
