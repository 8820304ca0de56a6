"""Server-drawn SVG charts: accessible names, no inline styles, same numbers in a table, visible colours."""

import re
from decimal import Decimal

import pytest

from commissioning.charts import PALETTE, RAG_COLOURS, Series, bar_chart, contrast_ratio, line_chart, stacked_bar

LABELS = ["Q1 2018/19", "Q2 2018/19", "Q3 2018/19", "Q4 2018/19"]


def charts():
    yield line_chart(
        title="Carers supported <per 100,000>",
        description="Quarterly values",
        series=[Series("Value", [Decimal("1719"), None, Decimal("1800"), Decimal("1750")])],
        labels=LABELS,
        target=[1500, 1500, 1600, 1600],
    )
    yield bar_chart(title="Visits", description="This against last", series=[Series("Q3", [3, 5])], labels=["A", "B"])
    yield stacked_bar(
        title="Measures",
        description="Achieved or not",
        series=[Series("Achieved", [2, 0], links=["/x/?a=1&b=2", None]), Series("Not achieved", [1, 3])],
        labels=["Carers", "Wellbeing"],
    )


@pytest.mark.parametrize("chart", list(charts()), ids=["line", "bar", "stacked"])
def test_chart_is_an_image_named_by_its_title_and_description_without_inline_styles(chart):
    svg = str(chart.svg)
    assert svg.startswith("<svg")
    assert 'role="img"' in svg
    ids = re.search(r'aria-labelledby="([^"]+) ([^"]+)"', svg).groups()
    assert f'<title id="{ids[0]}">' in svg
    assert f'<desc id="{ids[1]}">' in svg
    assert "style=" not in svg
    assert "<style" not in svg
    assert "<script" not in svg


def test_text_is_escaped_and_the_table_repeats_the_numbers_with_links():
    line, _, stacked = charts()
    assert "&lt;per 100,000&gt;" in line.svg
    table = str(line.table)
    assert "<caption" in table
    assert 'scope="row"' in table
    assert "1,719" in table
    assert "—" in table
    assert "1,500" in table
    assert 'href="/x/?a=1&amp;b=2"' in str(stacked.table)


def test_missing_value_breaks_the_line_rather_than_joining_across_it():
    line = next(charts())
    value_lines = re.findall(r'<polyline points="([^"]+)"[^>]*stroke="#1d70b8"', str(line.svg))
    assert value_lines == [value_lines[0]]
    assert len(value_lines[0].split()) == 2


def test_same_chart_gives_the_same_markup_and_different_charts_different_ids():
    first, second = next(charts()), next(charts())
    assert first.svg == second.svg
    ids = {re.search(r'id="([^"]+)-title"', str(c.svg)).group(1) for c in charts()}
    assert len(ids) == 3


@pytest.mark.parametrize("colour", [*PALETTE, *RAG_COLOURS.values()])
def test_every_chart_colour_has_at_least_3_to_1_contrast_with_white(colour):
    assert contrast_ratio(colour) >= 3


# --- Axis labels never overlap -------------------------------------------------------------------------------------
# Measured with the real metrics of DejaVu Sans, the font the PDF renderer draws "Arial, Helvetica, sans-serif"
# in when Arial is missing, and wider than Arial, so what fits in it fits in a browser too.

DEJAVU_SANS = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
QUARTERS = [f"Q{q} {y}/{(y + 1) % 100:02d}" for y in range(2015, 2019) for q in (1, 2, 3, 4)]
STRATEGIES = [
    "Specialist Adult Services",
    "Safeguarding Adults",
    "Carers",
    "Adult Frailty and Long Term Conditions",
    "Community Wellbeing",
    "Public Protection",
]


@pytest.fixture(scope="module")
def font():
    # WeasyPrint brings fontTools; the PDFs are laid out in DejaVu Sans (fonts-dejavu-core, installed by
    # .ci/run), so without it the measurement would not be the one the packs use: fail, never skip.
    from pathlib import Path

    from fontTools import ttLib  # type: ignore[import-untyped]

    assert Path(DEJAVU_SANS).exists(), f"DejaVu Sans is needed at {DEJAVU_SANS}: apt-get install fonts-dejavu-core"
    ttf = ttLib.TTFont(DEJAVU_SANS)
    return ttf.getBestCmap(), ttf["hmtx"], ttf["head"].unitsPerEm, ttf["hhea"].ascent, ttf["hhea"].descent


def _text_boxes(svg: str, font) -> list[tuple[str, float, float, float, float]]:
    """(text, x0, y0, x1, y1) of every <text> in the SVG, from its anchor, size and the font's advance widths."""
    import html

    cmap, hmtx, units, ascent, descent = font
    boxes = []
    for attributes, content in re.findall(r"<text\b([^>]*)>([^<]*)</text>", svg):
        attr = dict(re.findall(r'([\w-]+)="([^"]*)"', attributes))
        assert "transform" not in attr, "rotated labels need a rotated box here"
        text = html.unescape(content)
        size = float(attr["font-size"])
        width = sum(hmtx[cmap[ord(c)]][0] for c in text) / units * size
        x, y = float(attr["x"]), float(attr["y"])
        anchor = attr.get("text-anchor", "start")
        x0 = {"start": x, "middle": x - width / 2, "end": x - width}[anchor]
        boxes.append((text, x0, y - ascent / units * size, x0 + width, y - descent / units * size))
    return boxes


def _overlaps(boxes):
    return [
        (a[0], b[0])
        for i, a in enumerate(boxes)
        for b in boxes[i + 1 :]
        if a[1] < b[3] and b[1] < a[3] and a[2] < b[4] and b[2] < a[4]
    ]


def axis_charts():
    for count in (4, 8, 12, 16):
        yield (
            f"line-{count}-quarters",
            line_chart(
                title="Trend",
                description="Quarterly values",
                series=[Series("Value", list(range(count)))],
                labels=QUARTERS[-count:],
                target=[5] * count,
            ),
        )
    yield (
        "bar-strategies",
        bar_chart(
            title="RAG",
            description="By strategy",
            series=[Series("Red", [1] * 6), Series("Green", [2] * 6)],
            labels=STRATEGIES,
        ),
    )
    yield (
        "stacked-strategies",
        stacked_bar(
            title="Measures", description="By strategy", series=[Series("Achieved", [3] * 6)], labels=STRATEGIES
        ),
    )
    yield (
        "narrow-line",
        line_chart(
            title="Trend", description="Narrow", series=[Series("Value", [1] * 8)], labels=QUARTERS[-8:], width=240
        ),
    )


@pytest.mark.parametrize(("name", "chart"), list(axis_charts()), ids=[name for name, _ in axis_charts()])
def test_no_two_chart_labels_overlap_and_all_stay_inside_the_chart(name, chart, font):
    svg = str(chart.svg)
    width = float(re.search(r'viewBox="0 0 ([\d.]+) ', svg).group(1))
    boxes = _text_boxes(svg, font)

    assert len(boxes) > 5
    assert _overlaps(boxes) == []
    for text, x0, _, x1, _ in boxes:
        assert x0 >= 0, f"{text!r} runs off the chart's left"
        assert x1 <= width, f"{text!r} runs off the chart's right"


def test_quarter_labels_are_shortened_rather_than_dropped_when_eight_share_a_chart():
    chart = line_chart(title="Trend", description="d", series=[Series("Value", [1] * 8)], labels=QUARTERS[-8:])
    shown = re.findall(r'<text\b[^>]*class="app-chart__x-label"[^>]*>([^<]*)</text>', str(chart.svg))

    assert shown == ["Q1 17/18", "Q2 17/18", "Q3 17/18", "Q4 17/18", "Q1 18/19", "Q2 18/19", "Q3 18/19", "Q4 18/19"]
    assert "Q1 2017/18" in str(chart.table)  # the table still names each quarter in full


def test_when_even_short_labels_do_not_fit_every_nth_is_shown_ending_with_the_latest():
    chart = line_chart(title="Trend", description="d", series=[Series("Value", [1] * 16)], labels=QUARTERS, width=300)
    shown = re.findall(r'<text\b[^>]*class="app-chart__x-label"[^>]*>([^<]*)</text>', str(chart.svg))

    assert shown[-1] == "Q4 18/19"
    assert 2 <= len(shown) < 16


def test_bars_take_the_colour_of_what_they_count_and_names_are_wrapped_in_full_not_cut(font):
    chart = bar_chart(
        title="Strategies by RAG status",
        description="Number of strategies by status",
        series=[
            Series("Strategies", [1, 2, 3, 0], colours=[RAG_COLOURS[r] for r in ("red", "amber", "green", "none")])
        ],
        labels=["Red", "Amber", "Green", "No RAG reported"],
    )
    svg = str(chart.svg)
    fills = re.findall(r'<rect [^>]*fill="(#[0-9a-f]{6})"', svg)
    assert fills == [RAG_COLOURS["red"], RAG_COLOURS["amber"], RAG_COLOURS["green"]]  # no bar for a count of 0

    # As wide as the dashboard draws it: six strategies side by side.
    strategies = stacked_bar(
        title="Measures",
        description="By strategy",
        series=[Series("Achieved", [3] * 6), Series("Not achieved", [1] * 6)],
        labels=STRATEGIES,
        width=640,
    )
    shown = re.findall(r'<text\b[^>]*class="app-chart__x-label"[^>]*>([^<]*)</text>', str(strategies.svg))
    # Every word of every name is printed (on up to three lines), none cut with "…".
    assert "…" not in "".join(shown)
    assert " ".join(shown).split() == " ".join(STRATEGIES).split()
    boxes = _text_boxes(str(strategies.svg), font)
    assert _overlaps(boxes) == []
