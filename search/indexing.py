"""Keeping the search index current: one record at a time (signals on every save and delete of a searched
model) and all at once (``manage.py rebuild_search_index``, in batches). On PostgreSQL each entry's weighted
search vector (title A, text B, English stemming) is computed by the database in the same step."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.search import SearchVector
from django.db import connection, models, transaction
from django.db.models import QuerySet

from .models import SearchEntry
from .registry import BY_MODEL, SEARCH_TYPES, SearchType

SEARCH_CONFIG = "english"
TITLE_MAX = SearchEntry._meta.get_field("title").max_length or 300


def uses_full_text() -> bool:
    """PostgreSQL's full-text search; elsewhere (SQLite) a plain contains match."""
    return connection.vendor == "postgresql"


def _vector() -> Any:
    return SearchVector("title", weight="A", config=SEARCH_CONFIG) + SearchVector(
        "body", weight="B", config=SEARCH_CONFIG
    )


def _refresh_vectors(entries: QuerySet[SearchEntry]) -> None:
    if uses_full_text():
        entries.update(search_vector=_vector())


def _entry_fields(search_type: SearchType, obj: models.Model) -> dict[str, str]:
    return {"kind": search_type.key, "title": search_type.title(obj)[:TITLE_MAX], "body": search_type.body(obj)}


@transaction.atomic
def index_record(*, record: models.Model) -> SearchEntry | None:
    """Write (or rewrite) ``record``'s entry; None if its model is not searched."""
    search_type = BY_MODEL.get(type(record))
    if search_type is None or record.pk is None:
        return None
    entry, _ = SearchEntry.objects.update_or_create(
        content_type=ContentType.objects.get_for_model(record),
        object_id=record.pk,
        defaults=_entry_fields(search_type, record),
    )
    _refresh_vectors(SearchEntry.objects.filter(pk=entry.pk))
    return entry


def remove_record(*, model: type[models.Model], object_id: int) -> None:
    """Drop a deleted record's entry."""
    SearchEntry.objects.filter(content_type=ContentType.objects.get_for_model(model), object_id=object_id).delete()


@transaction.atomic
def rebuild(*, batch_size: int = 500, keys: list[str] | None = None) -> dict[str, int]:
    """Rebuild the index (every searched type, or those in ``keys``) from the records: entries written in
    batches with ``bulk_create``, then their vectors in one UPDATE per type. Returns how many per type."""
    counts: dict[str, int] = {}
    for search_type in SEARCH_TYPES:
        if keys is not None and search_type.key not in keys:
            continue
        content_type = ContentType.objects.get_for_model(search_type.model)
        SearchEntry.objects.filter(content_type=content_type).delete()
        batch: list[SearchEntry] = []
        written = 0
        for record in search_type.indexed().iterator(chunk_size=batch_size):
            batch.append(
                SearchEntry(content_type=content_type, object_id=record.pk, **_entry_fields(search_type, record))
            )
            if len(batch) >= batch_size:
                SearchEntry.objects.bulk_create(batch)
                written += len(batch)
                batch = []
        if batch:
            SearchEntry.objects.bulk_create(batch)
            written += len(batch)
        _refresh_vectors(SearchEntry.objects.filter(content_type=content_type))
        counts[search_type.key] = written
    return counts
