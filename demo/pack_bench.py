"""Timing of a pack render, for ``make bench``: how long gathering data and building the HTML takes
against WeasyPrint's own layout. Nothing is stored; the pack is built in a transaction that is rolled back."""

from __future__ import annotations

import datetime
import time

from django.db import transaction
from django.utils import timezone

from commissioning.pdf import html_to_pdf
from scrutiny import documents
from scrutiny.models import Committee, Meeting, PackAppendix, ScrutinyPack
from strategies.models import CommissioningStrategy


class _Rollback(Exception):
    pass


def measure_pack_render(strategy_ids: list[int], *, report_date: datetime.date | None = None) -> dict:
    """Render a pack of the given strategies once and return seconds for each part, page count and
    the data share of the total (the target is under 10 %)."""
    report_date = report_date or timezone.localdate()
    result: dict = {}
    try:
        with transaction.atomic():
            committee, _ = Committee.objects.get_or_create(name="Benchmark committee")
            meeting = Meeting.objects.create(committee=committee, date=report_date)
            pack = ScrutinyPack.objects.create(
                meeting=meeting,
                title="Commissioning Strategies",
                report_to="Overview and Scrutiny Management Board",
                report_date=report_date,
                subject="Commissioning Strategies",
            )
            strategies = CommissioningStrategy.objects.in_bulk(strategy_ids)
            PackAppendix.objects.bulk_create(
                PackAppendix(pack=pack, strategy=strategies[sid], order=n) for n, sid in enumerate(strategy_ids, 1)
            )
            started = time.perf_counter()
            built = documents.build_pack_document(pack)
            checksum = built.checksum
            data_seconds = time.perf_counter() - started
            rendered = html_to_pdf(built.html, stylesheets=documents.stylesheet_paths())
            total = data_seconds + rendered.layout_seconds
            result = {
                "strategies": len(strategy_ids),
                "pages": rendered.page_count,
                "bytes": len(rendered.content),
                "checksum": checksum,
                "data_seconds": round(data_seconds, 3),
                "layout_seconds": round(rendered.layout_seconds, 3),
                "total_seconds": round(total, 3),
                "data_share": round(data_seconds / total, 3) if total else 0.0,
            }
            raise _Rollback
    except _Rollback:
        pass
    return result
