#!/usr/bin/env python3
"""Sum the test runs of a CI pass into one line: ``N passed, N failed, N skipped``.

Usage: ``ci_totals.py KIND:EXIT_CODE:LOG ...`` where KIND is ``pytest`` or ``schemathesis``, EXIT_CODE is the
run's exit status and LOG the file its output was saved to (by ``tee`` in .ci/run). Prints one line per run,
then the totals as the last line; exits 1 when any test failed. Standard library only: it runs even when the
virtualenv could not be built.

Counting:
- pytest: the last summary line (``3 failed, 510 passed, 2 skipped, 1 error in 80.1s``). Errors count as
  failed, xfailed as skipped, xpassed as passed; deselected tests and warnings are not counted.
- schemathesis: the line after ``Test cases:`` (``120 generated, 120 passed`` or ``120 generated, 4 found
  2 unique failures, 1 errored, 3 skipped``). Test cases with failures and errored ones count as failed,
  skipped ones (no checks ran) as skipped, the rest as passed.
- A run whose log has no such line (it crashed, or never started), or that exited non-zero with nothing
  counted as failed, counts as one failure: the totals never look green when a run was not.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
PYTEST_SUMMARY = re.compile(
    r"^=*\s*(?P<body>no tests ran|\d+ [a-z]+(?:, \d+ [a-z]+)*)\s+in\s+[\d.]+s(?:\s+\([\d:.]+\))?\s*=*$"
)
PYTEST_WORDS = {
    "passed": "passed",
    "xpassed": "passed",
    "failed": "failed",
    "error": "failed",
    "errors": "failed",
    "skipped": "skipped",
    "xfailed": "skipped",
}
COUNT = re.compile(r"(\d+) ([a-z]+)")


@dataclass
class Counts:
    passed: int = 0
    failed: int = 0
    skipped: int = 0
    found: bool = True

    def __add__(self, other: Counts) -> Counts:
        return Counts(self.passed + other.passed, self.failed + other.failed, self.skipped + other.skipped)

    def line(self) -> str:
        return f"{self.passed} passed, {self.failed} failed, {self.skipped} skipped"


def _lines(text: str) -> list[str]:
    return [ANSI.sub("", line).strip() for line in text.splitlines()]


def parse_pytest(text: str) -> Counts:
    """Counts from pytest's last summary line; ``found`` is False when there is none."""
    summary = None
    for line in _lines(text):
        match = PYTEST_SUMMARY.match(line)
        if match:
            summary = match.group("body")
    if summary is None:
        return Counts(found=False)
    counts = Counts()
    for number, word in COUNT.findall(summary):
        field = PYTEST_WORDS.get(word)
        if field:
            setattr(counts, field, getattr(counts, field) + int(number))
    return counts


def parse_schemathesis(text: str) -> Counts:
    """Counts from the line after schemathesis' ``Test cases:``; ``found`` is False when there is none."""
    lines = _lines(text)
    summary = None
    for index, line in enumerate(lines):
        if line == "Test cases:":
            summary = next((following for following in lines[index + 1 :] if following), "")
    if summary is None:
        return Counts(found=False)
    if summary.startswith("No test cases were generated"):
        return Counts()
    numbers = {"generated": 0, "found": 0, "errored": 0, "skipped": 0}
    for part in summary.split(", "):
        match = re.match(r"(\d+) (generated|passed|found|errored|skipped)\b", part)
        if match and match.group(2) in numbers:
            numbers[match.group(2)] = int(match.group(1))
    if not numbers["generated"]:
        return Counts(found=False)
    failed = numbers["found"] + numbers["errored"]
    return Counts(
        passed=max(numbers["generated"] - failed - numbers["skipped"], 0),
        failed=failed,
        skipped=numbers["skipped"],
    )


PARSERS = {"pytest": parse_pytest, "schemathesis": parse_schemathesis}


def count_run(kind: str, exit_code: int, log: Path) -> tuple[Counts, str]:
    """The counts of one run, and a note when they were adjusted because the log did not tell the whole story."""
    text = log.read_text(errors="replace") if log.is_file() else ""
    counts = PARSERS[kind](text)
    if not counts.found:
        return Counts(failed=1), f"no {kind} summary in {log} (exit {exit_code}): counted as one failure"
    if exit_code != 0 and counts.failed == 0:
        counts.failed = 1
        return counts, f"exit {exit_code} with no failing test in {log}: counted as one failure"
    return counts, ""


def parse_argument(argument: str) -> tuple[str, int, Path]:
    kind, exit_code, log = argument.split(":", 2)
    if kind not in PARSERS:
        print(f"unknown kind {kind!r} in {argument!r} (expected one of {', '.join(PARSERS)})", file=sys.stderr)
        raise SystemExit(2)
    return kind, int(exit_code), Path(log)


def main(arguments: list[str]) -> int:
    total = Counts()
    for argument in arguments:
        kind, exit_code, log = parse_argument(argument)
        counts, note = count_run(kind, exit_code, log)
        print(f"{log.stem}: {counts.line()}" + (f"  ({note})" if note else ""))
        total = total + counts
    print(total.line())
    return 1 if total.failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
