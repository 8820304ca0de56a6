"""Charts drawn on the server as accessible SVG, shared by pages and PDFs.

Each function returns a ``Chart``: the SVG (``role="img"`` with a ``<title>`` and ``<desc>`` named by
``aria-labelledby``) and a table holding the same numbers, for screen readers and for printing.
No ``style=`` attributes anywhere (the CSP forbids them): colours are SVG presentation attributes.
Every colour has at least 3:1 contrast against white, so lines and bars are visible to everyone.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.template.loader import render_to_string
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

Number = Decimal | int | float

# GOV.UK palette colours chosen for >= 3:1 contrast against white (see tests/commissioning/test_charts.py).
PALETTE = ["#1d70b8", "#00703c", "#d4351c", "#912b88", "#0b0c0c", "#b35900", "#28a197", "#505a5f"]
RAG_COLOURS = {"red": "#d4351c", "amber": "#b35900", "green": "#00703c", "none": "#505a5f"}
TARGET_COLOUR = "#0b0c0c"
AXIS_COLOUR = "#505a5f"
GRID_COLOUR = "#b1b4b6"
FONT = 'font-family="Arial, Helvetica, sans-serif"'


@dataclass(frozen=True)
class Series:
    """One named run of values, one per label; ``links`` (optional) point each value to the records behind it."""

    name: str
    values: Sequence[Number | None]
    links: Sequence[str | None] | None = None
    colour: str | None = None
    # One colour per value (a bar chart of RAG statuses draws each bar in its own status's colour).
    colours: Sequence[str] | None = None


@dataclass(frozen=True)
class Chart:
    svg: SafeString
    table: SafeString
    title: str

    def __html__(self) -> str:
        return self.svg + self.table

    def __str__(self) -> str:
        return self.__html__()


def contrast_ratio(colour: str, background: str = "#ffffff") -> float:
    """WCAG contrast ratio between two ``#rrggbb`` colours."""

    def luminance(hex_colour: str) -> float:
        channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    lighter, darker = sorted((luminance(colour), luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def decimal_places(value: Number | None) -> int:
    """The places ``value`` needs once trailing zeros go, at most two: 80 -> 0, 6.5 -> 1, 1.75 -> 2."""
    if value is None:
        return 0
    number = Decimal(str(value))
    exponent = number.normalize().as_tuple().exponent
    if number == number.to_integral_value() or not isinstance(exponent, int):
        return 0
    return min(max(-exponent, 0), 2)


def format_number(value: Number | None, unit: str = "", places: int | None = None) -> str:
    """'66.7%', '1,719', '12 days', '£1,500'; an em dash for no value. ``places`` fixes the decimal places
    (a table prints all its numbers to the same places: 6.0% beside 6.3%, as the measure itself is shown)."""
    if value is None:
        return "—"
    number = Decimal(str(value))
    text = f"{number:,.{decimal_places(value) if places is None else places}f}"
    if unit == "%":
        return f"{text}%"
    if unit == "£":
        return f"£{text}"
    return f"{text} {unit}".strip()


def _chart_id(kind: str, title: str, labels: Sequence[str], series: Sequence[Series]) -> str:
    # Deterministic ids (same chart, same markup) so PDFs and caches are stable; distinct charts differ.
    digest = hashlib.sha256(repr((kind, title, list(labels), [(s.name, list(s.values)) for s in series])).encode())
    return f"chart-{kind}-{digest.hexdigest()[:10]}"


def _nice_step(value: float) -> float:
    """The smallest of 1, 2, 2.5 or 5 times a power of ten that is at least ``value``."""
    if value <= 0:
        return 1.0
    exponent = math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * 10**exponent * (1 + 1e-9):
            return step * 10**exponent
    return 10 ** (exponent + 1)


def _scale(values: Sequence[float]) -> tuple[float, float]:
    """Axis bounds spanning the values and zero, split into four equal, round steps (e.g. 0, 25, 50, 75, 100)."""
    low_value, high_value = min([0.0, *values]), max([0.0, *values])
    step = _nice_step((high_value - low_value) / 4 or 0.25)
    while True:
        low = math.floor(low_value / step) * step
        if low + 4 * step >= high_value:
            return low, low + 4 * step
        step = _nice_step(step * 1.5)


def _tick_text(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 10 or value == int(value) else f"{value:,.1f}"


# Axis labels must never run into each other. Their width is estimated from the widest of the fonts a chart is
# drawn in (DejaVu Sans, used where Arial is missing as in the PDF renderer, is wider than Arial and Helvetica),
# per character class, in ems; the estimate errs wide. tests/commissioning/test_charts.py checks it with the
# real font metrics.
_NARROW = set(" .,:;'/|\\!")
_PUNCTUATION = set("()[]-")
_WIDE = set("mwMW@%")
LABEL_FONT_SIZE = 10
LABEL_GAP = 4


def text_width(text: str, font_size: float) -> float:
    """An upper estimate of the width of ``text`` in user units at ``font_size``."""
    ems = 0.0
    for character in text:
        if character in _NARROW:
            ems += 0.34
        elif character in _PUNCTUATION:
            ems += 0.4
        elif character in _WIDE:
            ems += 1.0
        elif character.isdigit() or character.islower():
            ems += 0.64
        elif character.isupper():
            ems += 0.8
        else:
            ems += 1.0
    return ems * font_size


def short_quarter(label: str) -> str:
    """Shorten a quarter's label, "Q1 2017/18" to "Q1 17/18"; other labels are left as they are."""
    return re.sub(r"\b(?:19|20)(\d{2})/(\d{2})\b", r"\1/\2", label)


def _truncate(label: str, width: float, font_size: float) -> str:
    if text_width(label, font_size) <= width:
        return label
    while len(label) > 1 and text_width(label + "…", font_size) > width:
        label = label[:-1].rstrip()
    return label + "…"


def axis_labels(labels: Sequence[str], *, step: float, font_size: float = LABEL_FONT_SIZE) -> list[str | None]:
    """The text to print under each of ``labels`` (centred ``step`` apart), so that no two labels overlap:
    as given if they fit; else quarters shortened ("Q1 17/18") and long names cut with "…" (at least four
    characters kept); else only every n-th label, always including the last (the latest quarter). ``None``
    where a label is left out; the chart's table names every point in full."""
    room = step - LABEL_GAP
    if all(text_width(label, font_size) <= room for label in labels):
        return list(labels)
    shown = [_truncate(short_quarter(label), max(room, text_width("Wwww…", font_size)), font_size) for label in labels]
    widest = max((text_width(label, font_size) for label in shown), default=0.0)
    every = max(1, math.ceil((widest + LABEL_GAP) / step)) if step > 0 else len(shown)
    last = len(shown) - 1
    return [label if (last - i) % every == 0 else None for i, label in enumerate(shown)]


LINE_HEIGHT = 12
MAX_LABEL_LINES = 3


def wrap_label(label: str, room: float, font_size: float = LABEL_FONT_SIZE) -> list[str] | None:
    """``label`` broken at spaces into lines no wider than ``room`` (at most MAX_LABEL_LINES), or None when a
    word alone is wider than ``room`` or the lines would be more than that: the caller then shortens instead."""
    lines: list[str] = []
    for word in label.split():
        if text_width(word, font_size) > room:
            return None
        if lines and text_width(f"{lines[-1]} {word}", font_size) <= room:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines if 0 < len(lines) <= MAX_LABEL_LINES else None


def _category_labels(
    parts: list[str], labels: Sequence[str], *, left: float, step: float, y: float, width: float
) -> None:
    """Names under bars in full, wrapped onto up to three lines (each its own <text>, so none overlaps); if a
    name cannot be wrapped to fit, every name is shortened as on a time axis (``_x_labels``)."""
    room = step - LABEL_GAP
    wrapped = [wrap_label(label, room) for label in labels]
    if any(lines is None for lines in wrapped):
        _x_labels(parts, labels, left=left, step=step, y=y, width=width)
        return
    for i, lines in enumerate(wrapped):
        x = left + step * (i + 0.5)
        for n, line in enumerate(lines or []):
            parts.append(
                f'<text x="{x:.1f}" y="{y + n * LINE_HEIGHT}" text-anchor="middle" font-size="{LABEL_FONT_SIZE}" '
                f'{FONT} fill="#0b0c0c" class="app-chart__x-label" aria-hidden="true">{escape(line)}</text>'
            )


def _x_labels(parts: list[str], labels: Sequence[str], *, left: float, step: float, y: float, width: float) -> None:
    """Draw the labels under the points, each moved inwards if it would run off the chart; from the latest
    backwards, a label that would then come within LABEL_GAP of the one after it is left out."""
    placed: list[tuple[float, str]] = []
    right_limit = width - 1.0
    shown = axis_labels(labels, step=step)
    for i in reversed(range(len(shown))):
        label = shown[i]
        if label is None:
            continue
        half = text_width(label, LABEL_FONT_SIZE) / 2
        x = min(max(left + step * (i + 0.5), half + 1.0), width - 1.0 - half)
        if x + half + LABEL_GAP > right_limit and placed:
            continue
        placed.append((x, label))
        right_limit = x - half
    for x, label in reversed(placed):
        parts.append(
            f'<text x="{x:.1f}" y="{y}" text-anchor="middle" font-size="{LABEL_FONT_SIZE}" '
            f'{FONT} fill="#0b0c0c" class="app-chart__x-label" aria-hidden="true">{escape(label)}</text>'
        )


def _open(chart_id: str, width: int, height: int, title: str, description: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="app-chart__svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" focusable="false" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
    ]


def _axes(parts: list[str], *, left: int, top: int, plot_w: int, plot_h: int, low: float, high: float) -> None:
    for i in range(5):
        tick = low + (high - low) * i / 4
        y = top + plot_h - plot_h * i / 4
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="{GRID_COLOUR}" '
            f'stroke-width="1" aria-hidden="true"/>'
        )
        parts.append(
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" {FONT} fill="{AXIS_COLOUR}" '
            f'aria-hidden="true">{_tick_text(tick)}</text>'
        )
    parts.append(
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="{AXIS_COLOUR}" '
        f'stroke-width="1" aria-hidden="true"/>'
    )


def _legend(parts: list[str], *, entries: list[tuple[str, str, bool]], x: int, y: int) -> None:
    """Legend entries (name, colour, dashed) in one row; drawn only when there is more than one."""
    for name, colour, dashed in entries:
        dash = ' stroke-dasharray="6 4"' if dashed else ""
        parts.append(
            f'<line x1="{x}" y1="{y}" x2="{x + 18}" y2="{y}" stroke="{colour}" stroke-width="3"{dash} '
            'aria-hidden="true"/>'
        )
        parts.append(
            f'<text x="{x + 22}" y="{y + 4}" font-size="11" {FONT} fill="#0b0c0c" aria-hidden="true">'
            f"{escape(name)}</text>"
        )
        x += 30 + 7 * len(name)


def _colour(series: Series, index: int) -> str:
    return series.colour or PALETTE[index % len(PALETTE)]


def line_chart(
    *,
    title: str,
    description: str,
    series: Sequence[Series],
    labels: Sequence[str],
    unit: str = "",
    target: Sequence[Number | None] | None = None,
    width: int = 480,
    height: int = 220,
) -> Chart:
    """Lines over ``labels`` (e.g. quarters), with an optional dashed target line. Missing values break the line."""
    all_series = list(series)
    table_series = list(all_series)
    if target is not None:
        table_series.append(Series("Target", list(target), colour=TARGET_COLOUR))
    chart_id = _chart_id("line", title, labels, table_series)
    values = [float(v) for s in table_series for v in s.values if v is not None]
    low, high = _scale(values)
    left, top, right, bottom = 56, 12, 12, 52
    plot_w, plot_h = width - left - right, height - top - bottom
    step = plot_w / max(len(labels), 1)

    def point(i: int, value: Number) -> tuple[float, float]:
        x = left + step * (i + 0.5)
        y = top + plot_h - (float(value) - low) / (high - low) * plot_h
        return x, y

    parts = _open(chart_id, width, height, title, description)
    _axes(parts, left=left, top=top, plot_w=plot_w, plot_h=plot_h, low=low, high=high)
    _x_labels(parts, labels, left=left, step=step, y=top + plot_h + 16, width=width)
    legend: list[tuple[str, str, bool]] = []
    for index, s in enumerate(table_series):
        is_target = target is not None and s is table_series[-1]
        colour = s.colour or (TARGET_COLOUR if is_target else _colour(s, index))
        legend.append((s.name, colour, is_target))
        segment: list[str] = []
        segments: list[list[str]] = []
        for i, value in enumerate(s.values):
            if value is None:
                if segment:
                    segments.append(segment)
                segment = []
                continue
            x, y = point(i, value)
            segment.append(f"{x:.1f},{y:.1f}")
            if not is_target:
                parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{colour}" aria-hidden="true"/>')
        if segment:
            segments.append(segment)
        dash = ' stroke-dasharray="6 4"' if is_target else ""
        for seg in segments:
            if len(seg) > 1:
                parts.append(
                    f'<polyline points="{" ".join(seg)}" fill="none" stroke="{colour}" stroke-width="2.5"{dash} '
                    f'aria-hidden="true"/>'
                )
    _legend(parts, entries=legend, x=left, y=height - 12)
    parts.append("</svg>")
    return Chart(
        # Safe: every text piece above is escaped.
        svg=mark_safe("".join(parts)),  # nosec B308 B703
        table=data_table(caption=title, labels=labels, series=table_series, unit=unit),
        title=title,
    )


def bar_chart(
    *,
    title: str,
    description: str,
    series: Sequence[Series],
    labels: Sequence[str],
    unit: str = "",
    width: int = 480,
    height: int = 240,
    label_heading: str = "",
) -> Chart:
    """Vertical bars, grouped side by side when there is more than one series (e.g. this quarter and last)."""
    return _bars(
        kind="bar",
        title=title,
        description=description,
        series=series,
        labels=labels,
        unit=unit,
        width=width,
        height=height,
        stacked=False,
        label_heading=label_heading,
    )


def stacked_bar(
    *,
    title: str,
    description: str,
    series: Sequence[Series],
    labels: Sequence[str],
    unit: str = "",
    width: int = 480,
    height: int = 240,
    label_heading: str = "",
) -> Chart:
    """Bars whose series sit on top of each other (e.g. achieving, not achieving, awaiting data)."""
    return _bars(
        kind="stack",
        title=title,
        description=description,
        series=series,
        labels=labels,
        unit=unit,
        width=width,
        height=height,
        stacked=True,
        label_heading=label_heading,
    )


def _bars(*, kind, title, description, series, labels, unit, width, height, stacked, label_heading) -> Chart:
    series = list(series)
    chart_id = _chart_id(kind, title, labels, series)
    if stacked:
        totals = [sum(float(s.values[i] or 0) for s in series) for i in range(len(labels))]
    else:
        totals = [float(v) for s in series for v in s.values if v is not None]
    low, high = _scale(totals)
    left, top, right = 56, 12, 12
    plot_w = width - left - right
    step = plot_w / max(len(labels), 1)
    # Room under the plot for the names on as many lines as the longest takes, and the legend below them.
    wrapped = [wrap_label(label, step - LABEL_GAP) for label in labels]
    lines = max((len(w) for w in wrapped if w), default=1) if all(wrapped) else 1
    bottom = max(60, 30 + LINE_HEIGHT * lines + (22 if len(series) > 1 else 0))
    plot_h = height - top - bottom
    group_w = step * 0.7
    bar_w = group_w if stacked else group_w / max(len(series), 1)

    def y_of(value: float) -> float:
        return top + plot_h - (value - low) / (high - low) * plot_h

    parts = _open(chart_id, width, height, title, description)
    _axes(parts, left=left, top=top, plot_w=plot_w, plot_h=plot_h, low=low, high=high)
    for i in range(len(labels)):
        x0 = left + step * i + (step - group_w) / 2
        base = 0.0
        for index, s in enumerate(series):
            value = float(s.values[i] or 0)
            colour = s.colours[i] if s.colours and i < len(s.colours) else _colour(s, index)
            if stacked:
                y1, y2 = y_of(base + value), y_of(base)
                x = x0
                base += value
            else:
                y1, y2 = y_of(max(value, 0)), y_of(min(value, 0))
                x = x0 + bar_w * index
            if y2 - y1 > 0:
                parts.append(
                    f'<rect x="{x:.1f}" y="{y1:.1f}" width="{bar_w - 1:.1f}" height="{y2 - y1:.1f}" fill="{colour}" '
                    f'aria-hidden="true"/>'
                )
    _category_labels(parts, labels, left=left, step=step, y=top + plot_h + 16, width=width)
    if len(series) > 1:
        _legend(parts, entries=[(s.name, _colour(s, i), False) for i, s in enumerate(series)], x=left, y=height - 12)
    parts.append("</svg>")
    return Chart(
        # Safe: every text piece above is escaped.
        svg=mark_safe("".join(parts)),  # nosec B308 B703
        table=data_table(caption=title, labels=labels, series=series, unit=unit, label_heading=label_heading),
        title=title,
    )


def data_table(
    *,
    caption: str,
    labels: Sequence[str],
    series: Sequence[Series],
    unit: str = "",
    label_heading: str = "",
    caption_hidden: bool = False,
) -> SafeString:
    """The chart's numbers as a GOV.UK table: one row per label, one column per series; linked values
    lead to the records behind them."""
    caption_class = "govuk-table__caption govuk-table__caption--s"
    if caption_hidden:
        caption_class += " govuk-visually-hidden"
    head = "".join(
        f'<th scope="col" class="govuk-table__header govuk-table__header--numeric">{escape(s.name)}</th>'
        for s in series
    )
    places = max((decimal_places(v) for s in series for v in s.values), default=0)
    rows = []
    for i, label in enumerate(labels):
        cells = []
        for s in series:
            value = s.values[i] if i < len(s.values) else None
            text = str(escape(format_number(value, unit, places)))
            link = s.links[i] if s.links and i < len(s.links) else None
            if link:
                text = f'<a class="govuk-link" href="{escape(link)}">{text}</a>'
            cells.append(f'<td class="govuk-table__cell govuk-table__cell--numeric">{text}</td>')
        rows.append(
            f'<tr class="govuk-table__row"><th scope="row" class="govuk-table__header">{escape(label)}</th>'
            f"{''.join(cells)}</tr>"
        )
    html = (
        f'<table class="govuk-table app-chart__table"><caption class="{caption_class}">{escape(caption)}</caption>'
        f'<thead class="govuk-table__head"><tr class="govuk-table__row">'
        f'<th scope="col" class="govuk-table__header">{escape(label_heading)}</th>{head}</tr></thead>'
        f'<tbody class="govuk-table__body">{"".join(rows)}</tbody></table>'
    )
    # Safe: every text piece above is escaped. Wrapped like every data table, so a wide one scrolls in its region.
    return render_to_string(
        "includes/table_wrap.html",
        {"table": mark_safe(html), "label": caption},  # nosec B308 B703
    )
