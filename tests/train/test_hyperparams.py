import pytest

from assay.errors import InvalidArgument
from assay.train.hyperparams import expand_grid

HP = {"epoch_count": [30], "learning_rate": [0.01, 0.1], "neuron_count": [24, 48, 96]}


def test_full_grid_in_a_stable_order():
    grid = expand_grid(HP)
    assert len(grid) == 6
    assert grid[0] == {"epoch_count": 30, "learning_rate": 0.01, "neuron_count": 24}
    assert grid[1] == {"epoch_count": 30, "learning_rate": 0.01, "neuron_count": 48}
    assert grid[-1] == {"epoch_count": 30, "learning_rate": 0.1, "neuron_count": 96}
    assert expand_grid(HP) == grid
    assert expand_grid(None) == [{}] and expand_grid({}) == [{}]


def test_search_count_and_percent_draw_a_subset():
    grid = expand_grid(HP)
    drawn = expand_grid(HP, search_count=4, random_state=1)
    assert len(drawn) == 4 and all(combo in grid for combo in drawn)
    assert len({tuple(combo.values()) for combo in drawn}) == 4
    assert drawn == expand_grid(HP, search_count=4, random_state=1)
    assert expand_grid(HP, search_count=100) == grid  # more than there are: all of them
    assert len(expand_grid(HP, search_percent=0.5, random_state=0)) == 3
    assert len(expand_grid(HP, search_percent=0.01)) == 1
    assert expand_grid(HP, search_percent=1.0) == grid


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"search_count": 2, "search_percent": 0.5}, "cannot be used together"),
        ({"search_count": 0}, "search_count must be an int >= 1"),
        ({"search_count": 2.5}, "search_count must be an int >= 1"),
        ({"search_percent": 0.0}, r"search_percent must be in \(0, 1\]"),
        ({"search_percent": 1.5}, r"search_percent must be in \(0, 1\]"),
    ],
)
def test_bad_search_settings(kwargs, match):
    with pytest.raises(InvalidArgument, match=match):
        expand_grid(HP, **kwargs)


def test_bad_values_name_the_key():
    with pytest.raises(InvalidArgument, match=r"hyperparameters\['lr'\].*Wrap a single value"):
        expand_grid({"lr": 0.01})
    with pytest.raises(InvalidArgument, match=r"hyperparameters\['lr'\] must be a non-empty"):
        expand_grid({"lr": []})
    with pytest.raises(InvalidArgument, match=r"hyperparameters\['act'\].*JSON"):
        expand_grid({"act": [object()]})
    with pytest.raises(InvalidArgument, match="dict of lists"):
        expand_grid([("lr", [1])])


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf")])
def test_nan_and_infinity_are_refused_naming_the_hyperparameter(bad):
    with pytest.raises(InvalidArgument, match=r"hyperparameters\['lr'\] holds (nan|inf|-inf)"):
        expand_grid({"epochs": [3], "lr": [0.1, bad]})
    with pytest.raises(InvalidArgument, match=r"hyperparameters\['layers'\] holds"):
        expand_grid({"layers": [[16, {"dropout": bad}]]})
