"""Timing of a pack render, for ``make bench``: how long gathering data and building the HTML takes
against WeasyPrint's own layout. Nothing is stored; the pack is built through the scrutiny services, as an
administrator, in a transaction that is rolled back."""

from __future__ import annotations

import datetime
import time

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from commissioning import roles
from commissioning.models import User
from commissioning.pdf import html_to_pdf
from scrutiny import documents
from scrutiny import services as scrutiny_services
from scrutiny.models import Committee
from strategies.models import CommissioningStrategy

BENCH_COMMITTEE = "Benchmark committee"


class _Rollback(Exception):
    pass


def _administrator() -> User:
    """An administrator to act as (the demo's); without one, a throwaway one, rolled back with the pack."""
    admin = User.objects.filter(groups__name=roles.ADMINISTRATOR, is_active=True).order_by("pk").first()
    if admin is None:
        admin = User.objects.create(username="pack-bench-administrator")
        admin.groups.add(Group.objects.get(name=roles.ADMINISTRATOR))
    return admin


def measure_pack_render(
    strategy_ids: list[int], *, report_date: datetime.date | None = None, by: User | None = None
) -> dict:
    """Render a pack of the given strategies once and return seconds for each part, page count and
    the data share of the total (the target is under 10 %)."""
    report_date = report_date or timezone.localdate()
    result: dict = {}
    try:
        with transaction.atomic():
            actor = by or _administrator()
            committee = Committee.objects.filter(name=BENCH_COMMITTEE).first()
            if committee is None:
                committee = scrutiny_services.committee_create(by=actor, data={"name": BENCH_COMMITTEE})
            meeting = scrutiny_services.meeting_create(by=actor, data={"committee": committee, "date": report_date})
            strategies = CommissioningStrategy.objects.in_bulk(strategy_ids)
            pack = scrutiny_services.pack_create(
                meeting=meeting,
                by=actor,
                cover={
                    "title": "Commissioning Strategies",
                    "report_to": "Overview and Scrutiny Management Board",
                    "report_date": report_date,
                    "subject": "Commissioning Strategies",
                },
                strategies=[strategies[sid] for sid in strategy_ids],
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
