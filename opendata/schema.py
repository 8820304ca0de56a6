"""Validation of the OCDS exports against the official schemas: the OCDS 1.1.5 release package schema, whose
release schema has each extension the package declares merged in as a JSON Merge Patch (RFC 7386), checked
with a draft 4 validator. Nothing is fetched over the network: the package schema's reference to the release
schema is resolved to the local, patched copy.

The schemas are read from ``settings.OCDS_STANDARDS_DIR`` (``../shared/standards/`` next to the checkout),
or from the project's bundled copy in ``opendata/schemas/`` when that folder is absent (production).
"""

from __future__ import annotations

import copy
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings
from jsonschema import Draft4Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from .schemas import party_scale, performance_failures

BUNDLED_DIR = Path(__file__).resolve().parent / "schemas"
RELEASE_SCHEMA_URL = "https://standard.open-contracting.org/schema/1__1__5/release-schema.json"
UK_EXTENSION_URL = "https://raw.githubusercontent.com/cabinetoffice/ocds_uk_extension/main/extension.json"
METRICS_EXTENSION_URL = (
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_metrics_extension/master/extension.json"
)


def _read(relative: str) -> Callable[[Path], dict]:
    return lambda folder: json.loads((folder / relative).read_text(encoding="utf-8"))


# Each extension the exports may declare, with where its patch comes from. Order matters: the UK extension
# adds fields to objects the performance-failures extension defines, so it is applied after it.
EXTENSION_PATCHES: dict[str, Callable[[Path], dict]] = {
    performance_failures.URL: lambda _folder: performance_failures.PATCH,
    party_scale.URL: lambda _folder: party_scale.PATCH,
    # Metrics defines Observation, to which the UK extension adds measureClassification: applied before it.
    METRICS_EXTENSION_URL: _read("ocds-extensions/metrics/release-schema.json"),
    UK_EXTENSION_URL: _read("ocds-extensions/uk/release-schema.json"),
}


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386 JSON Merge Patch. Written here rather than taken from a package because the RFC's whole
    algorithm is these few lines: objects merge key by key, ``null`` removes a key, anything else replaces."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def standards_dir() -> Path:
    """The folder holding ``ocds-1.1.5/`` and ``ocds-extensions/``: the setting's, else the bundled copy."""
    configured = Path(getattr(settings, "OCDS_STANDARDS_DIR", "") or BUNDLED_DIR)
    return configured if (configured / "ocds-1.1.5" / "release-schema.json").is_file() else BUNDLED_DIR


def release_schema(*, extensions: tuple[str, ...], folder: Path | None = None) -> dict:
    """The core release schema with each named extension's patch applied, in the order given."""
    folder = folder or standards_dir()
    unknown = [url for url in extensions if url not in EXTENSION_PATCHES]
    if unknown:
        raise ValueError(f"No schema is held for the extension(s): {', '.join(unknown)}.")
    schema = _read("ocds-1.1.5/release-schema.json")(folder)
    for url in extensions:
        schema = merge_patch(schema, EXTENSION_PATCHES[url](folder))
    return schema


# RFC 3339 date-time, as OCDS requires: date, "T", time to the second, then "Z" or an offset. Checked here
# because jsonschema checks "date-time" only when an optional package is installed, and would else let
# any string through.
_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")
FORMAT_CHECKER = FormatChecker()
FORMAT_CHECKER.checkers.update(Draft4Validator.FORMAT_CHECKER.checkers)


@FORMAT_CHECKER.checks("date-time")
def _is_rfc3339(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if not _RFC3339.match(value):
        return False
    try:
        datetime.fromisoformat(value.upper().replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


@lru_cache(maxsize=8)
def package_validator(*, extensions: tuple[str, ...], folder: Path | None = None) -> Draft4Validator:
    """A draft 4 validator of release packages; the release schema it points at is the patched local copy.
    Built once per set of extensions (the schemas do not change while the process runs)."""
    folder = folder or standards_dir()
    package = _read("ocds-1.1.5/release-package-schema.json")(folder)
    release = release_schema(extensions=extensions, folder=folder)
    resource = Resource.from_contents(release, default_specification=DRAFT4)
    registry: Registry = Registry().with_resource(RELEASE_SCHEMA_URL, resource)
    return Draft4Validator(package, registry=registry, format_checker=FORMAT_CHECKER)


@dataclass(frozen=True)
class SchemaError:
    """One way a package breaks the schema: where (a JSON path such as ``releases/0/ocid``) and why."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path or '(package)'}: {self.message}"


def validate_package(package: dict, *, folder: Path | None = None) -> list[SchemaError]:
    """Every schema error in an OCDS release package, checked against the core schema plus the extensions
    the package itself declares (an extension with no schema held here is an error, not skipped)."""
    extensions = tuple(package.get("extensions") or ())
    try:
        validator = package_validator(extensions=extensions, folder=folder)
    except ValueError as exc:
        return [SchemaError("extensions", str(exc))]
    errors = [
        SchemaError("/".join(str(part) for part in error.absolute_path), error.message)
        for error in validator.iter_errors(package)
    ]
    return sorted(errors, key=lambda e: (e.path, e.message))


@dataclass(frozen=True)
class CheckResult:
    releases: int
    errors: list[SchemaError]
    build_seconds: float
    validate_seconds: float


def check_package(build: Callable[[], dict]) -> CheckResult:
    """Build a package and validate it, timing each step (for ``benchmarks/ocds_check.py``)."""
    started = time.perf_counter()
    package = build()
    built = time.perf_counter()
    errors = validate_package(package)
    return CheckResult(len(package.get("releases", [])), errors, built - started, time.perf_counter() - built)
