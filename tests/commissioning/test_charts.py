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
