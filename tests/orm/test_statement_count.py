"""How many SQL statements one queued training run sends to the metastore.

The iris workload of ``bench/sql_counts.py`` with one hyperparameter combination: a
StandardScaler FeatureCoder, a Label of raw classes, test and validation splits, 3 folds and
``permute_count=3``. The run is measured after the samples are cached.
"""

from sklearn.datasets import load_iris
from sklearn.preprocessing import StandardScaler

from assay.orm import (
    Algorithm,
    Dataset,
    Feature,
    FeatureCoder,
    Hyperparamset,
    Label,
    Queue,
    Splitset,
)
from assay.search.executors.run import execute_run
from tests.sql_counting import count_statements

# Measured: 10 statements in 5 sessions (36 in 33 before issue 13): load the run with its Job's
# rows, claim it, load the Features' and Label's preprocessing (4), write the outcome (4).
MAX_STATEMENTS_PER_RUN = 12


def lr_build(features_shape, label_shape, **hp):
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=hp["C"], max_iter=200)


def lr_train(model, loser, optimizer, train_features, train_label, eval_features, eval_label, **hp):
    return model.fit(train_features, train_label.ravel())


def queued_run() -> int:
    """Make the workload, cache its samples, and return the id of the first queued run."""
    dataset = Dataset.Tabular.from_df(load_iris(as_frame=True).frame)
    feature = Feature.from_dataset(dataset.id, exclude_columns=["target"])
    FeatureCoder.from_feature(feature.id, StandardScaler(), verbose=False)
    label = Label.from_dataset(dataset.id, columns=["target"])
    splitset = Splitset.make(
        [feature.id], label.id, size_test=0.2, size_validation=0.2, fold_count=3
    )
    splitset.cache_samples()
    algorithm = Algorithm.make("sklearn", "classification_multi", lr_build, lr_train)
    hyperparamset = Hyperparamset.from_algorithm(algorithm.id, {"C": [1.0]})
    queue = Queue.from_algorithm(
        algorithm.id, splitset.id, hyperparamset_id=hyperparamset.id, permute_count=3
    )
    return queue.runs[0].id


def test_one_queued_run_sends_few_statements():
    run_id = queued_run()
    with count_statements() as counted:
        status = execute_run(run_id)
    assert status == "succeeded"
    assert counted.count <= MAX_STATEMENTS_PER_RUN, counted.summary()


def test_the_counter_sees_statements_and_sessions():
    with count_statements() as counted:
        Dataset.Tabular.from_df(load_iris(as_frame=True).frame)
    assert counted.count >= 1 and counted.sessions >= 1
    assert "INSERT dataset" in counted.by_table()
    assert not any(s.lstrip().upper().startswith("BEGIN") for s in counted.statements)


def test_only_a_retried_run_clears_the_epochs_of_an_earlier_attempt():
    from sqlalchemy import update

    from assay.orm import EpochMetrics, Run
    from assay.orm.base import utcnow
    from assay.store import transaction

    run_id = queued_run()
    with count_statements() as first:
        assert execute_run(run_id) == "succeeded"
    assert "DELETE epochmetrics" not in first.by_table()
    other = Run.select_where(Run.queue_id == Run.get_by_id(run_id).queue_id)[1].id
    with transaction() as db:  # as if an earlier attempt had failed after one epoch
        db.execute(
            update(Run).where(Run.id == other).values(status="failed", time_started=utcnow())
        )
        db.add(EpochMetrics(run_id=other, epoch=0, metrics={"loss": 9.0}))
    with count_statements() as retried:
        assert execute_run(other) == "succeeded"
    assert retried.by_table()["DELETE epochmetrics"] == 1
    assert Run.get_by_id(other).epochs == []
