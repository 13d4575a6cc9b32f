"""``/datasets``: the Datasets, one Dataset, a page of its rows."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path
from sqlalchemy import select

from assay.orm.dataset import Dataset
from assay.server.paging import Page, PageQuery, empty_page, page_of, read_page
from assay.server.records import dataset_records
from assay.server.schemas import DatasetOut, Record
from assay.server.scope import data_items_router, sees_data

router = APIRouter(tags=["datasets"])
items = data_items_router()
DatasetId = Annotated[int, Path(ge=1, le=2**31 - 1)]


@router.get("/datasets", response_model=Page[DatasetOut])
def list_datasets(at: PageQuery, visible: Annotated[bool, Depends(sees_data)]) -> Page:
    """The Datasets, newest first."""
    if not visible:
        return empty_page(at)
    rows, total = read_page(select(Dataset).order_by(Dataset.id.desc()), at)
    return page_of(rows, total, at, DatasetOut.model_validate)


@items.get("/datasets/{dataset_id}", response_model=DatasetOut)
def get_dataset(dataset_id: DatasetId) -> Dataset:
    """One Dataset."""
    return Dataset.get_by_id(dataset_id)


@items.get("/datasets/{dataset_id}/rows", response_model=Page[Record])
def dataset_rows(dataset_id: DatasetId, at: PageQuery) -> Page:
    """A page of a Dataset's rows (samples), with every column's values."""
    dataset = Dataset.get_by_id(dataset_id)
    total = dataset.sample_count()
    samples = list(range(min(at.offset, total), min(at.offset + at.limit, total)))
    return page_of(dataset_records(dataset, samples), total, at, Record.model_validate)


router.include_router(items)
