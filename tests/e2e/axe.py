"""axe-core in the page under test. The engine comes from the npm package `axe-core` (node_modules), evaluated
through the DevTools protocol, which the page's CSP does not govern: the page itself still runs under its CSP."""

from functools import cache
from pathlib import Path

from playwright.sync_api import Page

ROOT = Path(__file__).resolve().parents[2]
AXE_PATH = ROOT / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
BLOCKING = {"serious", "critical"}

RUN = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
  return result.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    nodes: v.nodes.map((n) => ({target: n.target.join(" "), summary: n.failureSummary})),
  }));
}"""


@cache
def axe_source() -> str:
    if not AXE_PATH.exists():
        raise RuntimeError(f"{AXE_PATH} is missing: run `make e2e` (it installs the npm package axe-core).")
    return AXE_PATH.read_text()


def violations(page: Page, impacts: set[str] = BLOCKING) -> list[dict]:
    """axe's WCAG 2.2 AA violations on the page as it is now, keeping only the given impacts."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source())
    return [v for v in page.evaluate(RUN, TAGS) if v["impact"] in impacts]


def describe(page_name: str, found: list[dict]) -> str:
    """One line per failing element: page, rule, selector, what is wrong."""
    lines = []
    for violation in found:
        for node in violation["nodes"]:
            summary = " ".join(node["summary"].split())
            lines.append(f"{page_name} | {violation['id']} ({violation['impact']}) | {node['target']} | {summary}")
    return "\n".join(lines)
