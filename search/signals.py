"""Every save and delete of a searched record rewrites its index entry, whichever service, import or admin
action made it: connected in SearchConfig.ready. The entry is written once the record's transaction commits,
so a write's own queries (and a rolled-back write) are untouched by the index."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from . import indexing
from .registry import SEARCH_TYPES


def _saved(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    if raw:  # loading fixtures: the rebuild indexes them
        return
    transaction.on_commit(lambda: indexing.index_record(record=instance))


def _deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
    object_id = instance.pk
    transaction.on_commit(lambda: indexing.remove_record(model=sender, object_id=object_id))


def connect() -> None:
    for search_type in SEARCH_TYPES:
        uid = f"search-{search_type.key}"
        post_save.connect(_saved, sender=search_type.model, dispatch_uid=f"{uid}-save")
        post_delete.connect(_deleted, sender=search_type.model, dispatch_uid=f"{uid}-delete")
