"""A version's records: the data it was trained on, as assay Datasets or free-text references.

An assay Dataset is kept by id together with its name, version and sha256, so the record
still says which bytes were used after the Dataset is deleted or its name gets new versions.
Data outside assay is a free-text reference (a URL, a table name, a DOI), optionally with the
sha256 of its bytes (a fold file's, for a network trained on one).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from assay.errors import InvalidArgument, NotFound
from assay.orm.dataset import Dataset

#: The keys of a record that names an assay Dataset.
DATASET_KEYS = {"dataset_id", "name", "version", "sha256"}


def clean_records(db: Session, records: Any) -> list[dict[str, Any]]:
    """Records as stored, from Dataset ids, Dataset rows, references or stored records.

    Args:
        db: A session to look the Datasets up in.
        records: A list of: an int (a Dataset id), a Dataset, a str (a reference to data
            outside assay), ``{"reference": str, "sha256": hex}`` (such a reference with the
            sha256 of its bytes), or a record as ``version.records`` holds it. None is no
            records.

    Raises:
        InvalidArgument: An item of another type, or an empty reference.
        NotFound: A Dataset id that does not exist.
    """
    if records is None:
        return []
    if not isinstance(records, list | tuple):
        raise InvalidArgument(
            "records must be a list of Dataset ids, Datasets or references (str); "
            f"got {type(records).__name__} {records!r}."
        )
    return [clean_record(db, item, f"records[{i}]") for i, item in enumerate(records)]


def clean_record(db: Session, item: Any, argument: str) -> dict[str, Any]:
    """One record as stored."""
    if isinstance(item, Dataset):
        item = item.id
    if isinstance(item, int) and not isinstance(item, bool):
        dataset = db.get(Dataset, item)
        if dataset is None:
            raise NotFound(
                f"{argument}: Dataset with id {item} does not exist; pass the id of a "
                "registered Dataset, or a str that references data outside assay."
            )
        return dataset_record(dataset)
    if isinstance(item, str):
        return {"reference": reference(item, argument)}
    if isinstance(item, dict) and set(item) in ({"reference"}, {"reference", "sha256"}):
        record = {"reference": reference(item["reference"], argument)}
        if "sha256" in item:
            record["sha256"] = sha256_hex(item["sha256"], argument)
        return record
    if isinstance(item, dict) and {"dataset_id", "sha256"} <= set(item) <= DATASET_KEYS:
        return dict(item)
    raise InvalidArgument(
        f"{argument} must be a Dataset id (int), a Dataset, a reference (str), a reference "
        f"with its sha256 ({{'reference': ..., 'sha256': ...}}) or a stored record; got "
        f"{type(item).__name__} {item!r}."
    )


def dataset_record(dataset: Dataset) -> dict[str, Any]:
    """The record of an assay Dataset: id, name, version and the sha256 of its bytes."""
    return {
        "dataset_id": dataset.id,
        "name": dataset.name,
        "version": dataset.version,
        "sha256": dataset.sha256_hexdigest,
    }


def sha256_hex(value: Any, argument: str) -> str:
    """A sha256 digest as 64 lowercase hex digits."""
    if not isinstance(value, str) or len(value) != 64 or set(value) - set("0123456789abcdef"):
        raise InvalidArgument(
            f"{argument}'s sha256 must be 64 lowercase hex digits; got {value!r}."
        )
    return value


def reference(value: Any, argument: str) -> str:
    """A free-text reference: a non-empty str."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidArgument(f"{argument} must be a non-empty reference; got {value!r}.")
    return value.strip()
