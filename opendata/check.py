"""The whole register's OCDS package, built and validated (``benchmarks/ocds_check.py``, the demo tests)."""

from __future__ import annotations

from .ocds import ocds_package
from .schema import check_package, standards_dir
from .selectors import published_contracts, with_performance


def check_published_register(*, uri: str = "https://example.invalid/ocds.json") -> dict:
    """Build the public OCDS package of every contract in the database, validate it against the official
    schemas, and give the counts, the seconds each step took and the errors (as text)."""
    contracts = with_performance(published_contracts(user=None), user=None)
    result = check_package(lambda: ocds_package(contracts, uri=uri))
    return {
        "ocds_releases": result.releases,
        "ocds_errors": len(result.errors),
        "ocds_build_s": round(result.build_seconds, 3),
        "ocds_validate_s": round(result.validate_seconds, 3),
        "ocds_schemas": str(standards_dir()),
        "errors": [str(error) for error in result.errors],
    }
