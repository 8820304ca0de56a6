"""The read audit: who read which restricted record (a safeguarding concern, a serious incident), when, and
through what. Pages and the API call ``record_reads`` with the restricted records they show; administrators list
the reads (``reads``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models
from django.db.models import QuerySet
from django.utils import timezone

from .models import RecordRead

VIA = RecordRead.Via


def record_reads(*, user: Any, objects: Iterable[models.Model], via: str) -> int:
    """Record that ``user`` read each of ``objects`` (through ``via``: "page" or "api"), in one insert; returns
    how many rows it wrote. The reader is the actor and needs no permission to be recorded; an anonymous
    request reads nothing and records nothing. One INSERT (bulk_create is atomic), and no query at all when
    there is nothing to record, so a list page's query count does not grow with it."""
    if via not in VIA.values:
        raise ValueError(f"A read is through one of: {', '.join(VIA.values)}.")
    if not getattr(user, "is_authenticated", False):
        return 0
    now = timezone.now()
    rows = [
        RecordRead(
            user_id=user.pk,
            read_at=now,
            app_label=record._meta.app_label,
            model=record._meta.model_name or "",
            object_id=record.pk,
            via=via,
        )
        for record in objects
        if record.pk is not None
    ]
    if rows:
        RecordRead.objects.bulk_create(rows)
    return len(rows)


def reads(*, model: type[models.Model] | None = None, object_id: int | None = None) -> QuerySet[RecordRead]:
    """Reads recorded, newest first, with the reader; of one model's records, or of one record."""
    queryset = RecordRead.objects.select_related("user").order_by("-read_at", "-id")
    if model is not None:
        queryset = queryset.filter(app_label=model._meta.app_label, model=model._meta.model_name)
        if object_id is not None:
            queryset = queryset.filter(object_id=object_id)
    return queryset
