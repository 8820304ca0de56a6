"""``{% table_wrap %}``: the one wrapper of every data table on a page (templates/includes/table_wrap.html).

A wide table scrolls sideways inside its own focusable region, so the page itself reflows at 320 CSS px
(WCAG 2.2, 1.4.10) and a keyboard user can scroll it too. The region is named after the table's caption, or
the label given: ``{% table_wrap "Contracts" %}<table>…</table>{% endtable_wrap %}``.
"""

from __future__ import annotations

import re
from html import unescape
from typing import Any

from django import template
from django.template.base import FilterExpression, NodeList, Parser, Token
from django.template.loader import render_to_string
from django.utils.html import strip_tags
from django.utils.safestring import mark_safe

register = template.Library()

CAPTION = re.compile(r"<caption[^>]*>(.*?)</caption>", re.DOTALL | re.IGNORECASE)


def region_label(table_html: str, given: str = "") -> str:
    """The region's name: the label given, else the table's caption as text, else "Table"."""
    if given:
        return given
    caption = CAPTION.search(table_html)
    text = " ".join(unescape(strip_tags(caption.group(1))).split()) if caption else ""
    return text or "Table"


class TableWrapNode(template.Node):
    def __init__(self, nodelist: NodeList, label: FilterExpression | None) -> None:
        self.nodelist = nodelist
        self.label = label

    def render(self, context: Any) -> str:
        table = self.nodelist.render(context)
        given = str(self.label.resolve(context) or "") if self.label is not None else ""
        return render_to_string(
            "includes/table_wrap.html",
            # Safe: the block is template output, already escaped as it rendered.
            {"table": mark_safe(table), "label": region_label(table, given)},  # nosec B308 B703
        )


@register.tag("table_wrap")
def table_wrap(parser: Parser, token: Token) -> TableWrapNode:
    bits = token.split_contents()
    if len(bits) > 2:
        raise template.TemplateSyntaxError("{% table_wrap %} takes at most one argument, the region's label")
    nodelist = parser.parse(("endtable_wrap",))
    parser.delete_first_token()
    return TableWrapNode(nodelist, parser.compile_filter(bits[1]) if len(bits) == 2 else None)


@register.filter
def cell(row: Any, key: str) -> Any:
    """A row's value for a column key (a dict's item or an object's attribute), so a table can draw its cells in
    the order of its column list and label each one for the stacked layout."""
    if isinstance(row, dict):
        return row.get(key, "")
    return getattr(row, key, "")
