import pytest

from assay.errors import InvalidArgument
from assay.train.signature import check_functions, get_code


def fn_build(features_shape, label_shape, **hp):
    return ("model", features_shape, label_shape)


def fn_train(model, loser, optimizer, train_features, train_label, eval_features, eval_label, **hp):
    return model


def fn_predict(model, features):
    return features


def fn_lose(**hp):
    return "loser"


def fn_optimize(model, **hp):
    return "optimizer"


def test_good_functions_pass_even_with_other_parameter_names():
    check_functions("pytorch", "classification_multi", fn_build, fn_train)
    check_functions(
        "keras",
        "regression",
        lambda a, b, **kw: None,
        lambda m, lo, op, tx, ty, ex, ey, **kw: m,
        lambda m, x: x,
        lambda **kw: None,
        lambda **kw: None,
    )
    check_functions(
        "pytorch", "classification_binary", fn_build, fn_train, fn_predict, fn_lose, fn_optimize
    )


@pytest.mark.parametrize(
    ("library", "analysis_type", "match"),
    [
        ("theano", "regression", r"library must be one of \['keras', 'pytorch', 'sklearn'"),
        ("sklearn", "clustering", r"classification_binary.*classification_multi.*regression"),
    ],
)
def test_unknown_library_or_analysis_type_lists_the_known_ones(library, analysis_type, match):
    with pytest.raises(InvalidArgument, match=match):
        check_functions(library, analysis_type, fn_build, fn_train)


def test_wrong_signatures_name_the_function():
    with pytest.raises(InvalidArgument, match="fn_build takes 1 positional"):
        check_functions("sklearn", "regression", lambda shape, **hp: None, fn_train)
    with pytest.raises(
        InvalidArgument, match=r"fn_build must accept the hyperparameters as \*\*hp"
    ):
        check_functions("sklearn", "regression", lambda a, b: None, fn_train)
    with pytest.raises(InvalidArgument, match="fn_train"):
        check_functions("sklearn", "regression", fn_build, lambda model, **hp: model)
    with pytest.raises(InvalidArgument, match="fn_predict"):
        check_functions("sklearn", "regression", fn_build, fn_train, lambda model: model)
    with pytest.raises(InvalidArgument, match="fn_lose"):
        check_functions("sklearn", "regression", fn_build, fn_train, fn_lose=lambda: None)
    with pytest.raises(InvalidArgument, match="fn_optimize"):
        check_functions(
            "pytorch", "regression", fn_build, fn_train, fn_optimize=lambda a, b, **hp: None
        )


def test_classes_and_non_callables_are_refused():
    class Build:
        def __init__(self, features_shape, label_shape, **hp):
            pass

    with pytest.raises(InvalidArgument, match="fn_build must be a function"):
        check_functions("sklearn", "regression", Build, fn_train)
    with pytest.raises(InvalidArgument, match="fn_train must be a function"):
        check_functions("sklearn", "regression", fn_build, "fn_train")
    with pytest.raises(InvalidArgument, match="fn_train is required"):
        check_functions("sklearn", "regression", fn_build, None)


def test_get_code_returns_dedented_source_or_a_note():
    def inner(model, features):
        return model.predict(features)

    code = get_code(inner)
    assert code.startswith("def inner(model, features):") and "model.predict" in code
    namespace = {}
    exec("def made(**hp):\n    return 1\n", namespace)  # no file behind it, as in a REPL
    assert get_code(namespace["made"]).startswith("<source unavailable:")
