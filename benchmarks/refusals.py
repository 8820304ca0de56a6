"""Hostile import files and how fast, and in how little memory, the import pipeline refuses each (``make bench``
section "Import refusals"; alone: ``python benchmarks/run.py --only imports``).

Each file is built first, then refused by ``commissioning.imports.read_table`` with the contract register's
columns and rules (what /contracts/import/ and its background job run) in a child process of its own, so that one
file's memory does not count against the next. Time is wall time of the refusal; memory is the peak of Python
allocations during it (tracemalloc), plus the process's peak resident size for the whole child (ru_maxrss).
"""

from __future__ import annotations

import csv
import io
import json
import os
import resource
import time
import tracemalloc
import zipfile

# name -> what the file is (for the table)
FILES = {
    "rows_1e6": "2 MB CSV of 1,000,000 one-character rows under the header",
    "size_50mb": "50 MB CSV",
    "zip_bomb": "60 KB .xlsx unpacking to 60 MB (a zip bomb)",
    "unpacked_large": "~4 MB .xlsx unpacking to ~150 MB, at an ordinary ratio",
    "duplicate_headers": "CSV with two Reference columns",
    "wrong_encoding": "UTF-16 CSV",
    "many_columns": "CSV with 10,000 columns",
    "overlong_cell": "CSV with a 1,000,000-character cell",
}


def _header() -> list[str]:
    from contracts.imports import HEADERS

    return list(HEADERS)


def build(name: str) -> tuple[str, bytes]:
    header = ",".join(_header()).encode()
    if name == "rows_1e6":
        return "register.csv", header + b"\n" + b"a\n" * 1_000_000
    if name == "size_50mb":
        return "register.csv", header + b"\n" + b"a," * (25 * 1024 * 1024)
    if name in ("zip_bomb", "unpacked_large"):
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
            archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
            with archive.open("xl/worksheets/sheet1.xml", "w") as part:
                for _ in range(60 if name == "zip_bomb" else 150):
                    # A bomb is all zeros; an ordinary large sheet has some variety (about 30 times smaller zipped).
                    block = (
                        b"0" * (1024 * 1024)
                        if name == "zip_bomb"
                        else (os.urandom(16 * 1024).hex().encode() + b"0" * (1024 * 1024 - 32 * 1024))
                    )
                    part.write(block)
        return "register.xlsx", out.getvalue()
    if name == "duplicate_headers":
        return "register.csv", header + b",Reference\n" + b"A-1\n"
    if name == "wrong_encoding":
        return "register.csv", ",".join(_header()).encode("utf-16")
    if name == "many_columns":
        return "register.csv", header + b"," + b",".join(b"x%d" % n for n in range(10_000)) + b"\n"
    if name == "overlong_cell":
        out_text = io.StringIO()
        csv.writer(out_text).writerows([_header(), ["A-1", "x" * 1_000_000]])
        return "register.csv", out_text.getvalue().encode()
    raise ValueError(name)


def measure(name: str) -> dict:
    """Build one file, then time its refusal (run in a child process with Django set up)."""
    from commissioning.imports import ImportFileError, read_table
    from contracts.imports import COLUMNS, UPLOAD

    filename, content = build(name)
    tracemalloc.start()
    started = time.perf_counter()
    message = "NOT REFUSED"
    try:
        read_table(content=content, filename=filename, columns=COLUMNS, rules=UPLOAD)
    except ImportFileError as error:
        message = error.message
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "file": FILES[name],
        "bytes": len(content),
        "ms": round(elapsed * 1000, 1),
        "peak_mb": round(peak / 1024 / 1024, 1),
        "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "message": message,
    }


def child(name: str) -> None:
    print(json.dumps(measure(name)))
