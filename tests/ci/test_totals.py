"""scripts/ci_totals.py: the last line of .ci/run sums every test run (pytest and schemathesis)."""

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "ci_totals.py"

_spec = importlib.util.spec_from_file_location("ci_totals", SCRIPT)
assert _spec is not None
assert _spec.loader is not None
ci_totals = importlib.util.module_from_spec(_spec)
sys.modules["ci_totals"] = ci_totals  # dataclasses look the module up while the class is built
_spec.loader.exec_module(ci_totals)

PYTEST_FULL = """\
tests/test_a.py ..F.sxE.                                                 [100%]

==================================== ERRORS ====================================
_________________________ ERROR at setup of test_err __________________________
E       RuntimeError: boom
=========================== short test summary info ============================
SKIPPED [1] tests/test_a.py:5: x
FAILED tests/test_a.py::test_bad - assert False
ERROR tests/test_a.py::test_err - RuntimeError: boom
==== 1 failed, 3 passed, 1 skipped, 1 xfailed, 1 warning, 1 error in 0.17s =====
"""
PYTEST_QUIET = "....s\n510 passed, 4 skipped, 2 deselected in 81.42s (0:01:21)\n"
PYTEST_COLLECTION_ERROR = """\
ERROR tests/test_b.py
!!!!!!!!!!!!!!!!!!!! Interrupted: 1 error during collection !!!!!!!!!!!!!!!!!!!!
=============================== 1 error in 0.11s ===============================
"""
PYTEST_COLOURED = "\x1b[32m===== \x1b[32m\x1b[1m12 passed\x1b[0m\x1b[32m in 1.20s\x1b[0m\x1b[32m =====\x1b[0m\n"
PYTEST_CRASH = "ImportError while loading conftest '/work/main/tests/conftest.py'.\n"
# A test's own output that looks like a summary does not count: the last summary line does.
PYTEST_ECHO = "3 failed in 1.00s\n.....\n============ 5 passed in 2.00s ============\n"

# As scripts/schemathesis.sh prints it (shortened); its last line would pass for a pytest summary, so each log
# is read with the parser of its own kind.
SCHEMATHESIS_PASSED = """\
== Starting the server on 127.0.0.1:8765
Schemathesis v4.32.5
 ✅  Coverage (in 37.93s)

     ✅ 41 passed

Test cases:
  412 generated, 412 passed

Seed: 1

============================ 2 warnings in 180.06s =============================
"""
SCHEMATHESIS_FAILED = """\
Test cases:
  300 generated, 7 found 2 unique failures, 3 errored, 5 skipped

================================ 2 failures, 1 error in 80.00s ================================
== Server log (last 80 lines)
"""
SCHEMATHESIS_PASSED_WITH_SKIPS = "Test cases:\n  50 generated, 50 passed, 2 errored, 4 skipped\n"
SCHEMATHESIS_NOTHING = "Test cases:\n  No test cases were generated\n"
SCHEMATHESIS_SCHEMA_ERROR = "Schema Loading Error\n\n    Failed to load the schema\n"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (PYTEST_FULL, (3, 2, 2)),
        (PYTEST_QUIET, (510, 0, 4)),
        (PYTEST_COLLECTION_ERROR, (0, 1, 0)),
        (PYTEST_COLOURED, (12, 0, 0)),
        (PYTEST_ECHO, (5, 0, 0)),
        ("=========== no tests ran in 0.01s ===========\n", (0, 0, 0)),
        ("============================ 7 deselected in 0.02s ============================\n", (0, 0, 0)),
    ],
    ids=["full", "quiet", "collection-error", "coloured", "echoed-summary", "no-tests", "deselected"],
)
def test_pytest_summary(text, expected):
    counts = ci_totals.parse_pytest(text)

    assert counts.found
    assert (counts.passed, counts.failed, counts.skipped) == expected


def test_pytest_log_without_a_summary_is_not_found():
    assert not ci_totals.parse_pytest(PYTEST_CRASH).found


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (SCHEMATHESIS_PASSED, (412, 0, 0)),
        (SCHEMATHESIS_FAILED, (285, 10, 5)),
        (SCHEMATHESIS_PASSED_WITH_SKIPS, (44, 2, 4)),
        (SCHEMATHESIS_NOTHING, (0, 0, 0)),
    ],
    ids=["passed", "failed", "passed-with-errored-and-skipped", "nothing-generated"],
)
def test_schemathesis_summary(text, expected):
    counts = ci_totals.parse_schemathesis(text)

    assert counts.found
    assert (counts.passed, counts.failed, counts.skipped) == expected


def test_schemathesis_log_without_test_cases_is_not_found():
    assert not ci_totals.parse_schemathesis(SCHEMATHESIS_SCHEMA_ERROR).found


def _run(tmp_path, *runs):
    arguments = []
    for index, (kind, exit_code, text) in enumerate(runs):
        log = tmp_path / f"run{index}.log"
        if text is not None:
            log.write_text(text)
        arguments.append(f"{kind}:{exit_code}:{log}")
    result = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, str(SCRIPT), *arguments], capture_output=True, text=True, check=False
    )
    lines = result.stdout.splitlines()
    # Exit status 1 exactly when the totals count a failure.
    assert result.returncode == (0 if ", 0 failed," in lines[-1] else 1), result.stderr
    return lines


def test_the_last_line_sums_every_run(tmp_path):
    lines = _run(
        tmp_path,
        ("pytest", 0, PYTEST_QUIET),
        ("pytest", 1, PYTEST_FULL),
        ("pytest", 0, PYTEST_COLOURED),
        ("schemathesis", 0, SCHEMATHESIS_PASSED),
    )

    assert lines[-1] == "937 passed, 2 failed, 6 skipped"
    assert len(lines) == 5


def test_a_run_that_crashed_or_never_ran_counts_as_one_failure(tmp_path):
    lines = _run(
        tmp_path, ("pytest", 4, PYTEST_CRASH), ("pytest", 1, None), ("schemathesis", 1, SCHEMATHESIS_SCHEMA_ERROR)
    )

    assert lines[-1] == "0 passed, 3 failed, 0 skipped"
    assert "counted as one failure" in lines[0]


def test_a_failing_exit_with_nothing_failed_counts_as_one_failure(tmp_path):
    # schemathesis exits 1 for errors outside any test case (say an operation it could not build examples for).
    lines = _run(tmp_path, ("schemathesis", 1, SCHEMATHESIS_PASSED), ("pytest", 5, "== no tests ran in 0.01s ==\n"))

    assert lines[-1] == "412 passed, 2 failed, 0 skipped"


def test_no_runs_print_zero_totals(tmp_path):
    assert _run(tmp_path) == ["0 passed, 0 failed, 0 skipped"]


def test_an_unknown_kind_is_refused(tmp_path):
    result = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, str(SCRIPT), f"unittest:0:{tmp_path / 'x.log'}"], capture_output=True, text=True, check=False
    )

    assert result.returncode == 2
    assert "unknown kind 'unittest'" in result.stderr
