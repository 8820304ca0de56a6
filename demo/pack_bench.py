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


def warm_up_workers(workers: int = 2, timeout: float = 120) -> float:
    """Send a tiny layout to each worker process (at once, so each takes one) and wait: WeasyPrint imported and
    its fonts loaded before anything is timed. Returns the seconds it took."""
    from celery import current_app, group

    from scrutiny import parallel

    started = time.perf_counter()
    if parallel.LAYOUT_PART_TASK not in current_app.tasks:
        current_app.loader.import_default_modules()
    task = current_app.tasks[parallel.LAYOUT_PART_TASK]
    head = '<html lang="en-GB"><head><title>Warm-up</title></head><body>'
    tiny = '<section class="pdf-appendix" id="warm"><h1>Warm-up</h1></section>'
    paths = [str(path) for path in documents.stylesheet_paths()]
    sigs = [task.s(head=head, bodies=[tiny], anchors=["warm"], stylesheets=paths) for _ in range(workers * 2)]
    group(sigs).apply_async().get(timeout=timeout)
    return time.perf_counter() - started


def measure_parallel(html: str, *, timeout: float = 300) -> dict:
    """Lay out built pack HTML through the parallel path (scrutiny.parallel's chord on the running workers) and
    return its wall seconds, page count and the figures of each step."""
    from scrutiny import parallel

    started = time.perf_counter()
    result = parallel.pack_chord(html, stylesheets=documents.stylesheet_paths()).apply_async().get(timeout=timeout)
    content = parallel.decode(result)
    return {
        "seconds": round(time.perf_counter() - started, 3),
        "pages": result["page_count"],
        "bytes": len(content),
        "figures": result["figures"],
    }


def measure_pack_render(
    strategy_ids: list[int],
    *,
    report_date: datetime.date | None = None,
    by: User | None = None,
    side_by_side: bool = False,
) -> dict:
    """Render a pack of the given strategies once and return seconds for each part, page count and
    the data share of the total (the target is under 10 %). With ``side_by_side``, the same built HTML is also
    laid out in parallel parts on the running Celery workers, and ``parallel_ratio`` is its wall time over
    the single-process layout's (html_to_pdf)."""
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
            if side_by_side:
                # Side by side, twice each, alternating (the machine is shared): the best of each is compared.
                singles = [rendered.layout_seconds]
                runs = [measure_parallel(built.html)]
                cpu_started = time.process_time()
                singles.append(html_to_pdf(built.html, stylesheets=documents.stylesheet_paths()).layout_seconds)
                result["single_cpu_seconds"] = round(time.process_time() - cpu_started, 3)
                runs.append(measure_parallel(built.html))
                best = min(runs, key=lambda run: run["seconds"])
                result["parallel"] = best
                result["single_samples"] = [round(seconds, 3) for seconds in singles]
                result["parallel_samples"] = [run["seconds"] for run in runs]
                result["parallel_ratio"] = round(best["seconds"] / min(singles), 3)
            raise _Rollback
    except _Rollback:
        pass
    return result
