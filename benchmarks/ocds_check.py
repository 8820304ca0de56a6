"""Build the OCDS export of whatever is in the database and validate it against the official schemas.

    python benchmarks/ocds_check.py [--json] [--show N]

Prints the number of releases, of schema errors and the seconds taken to build and to validate the package
(the first N errors too, 10 by default); exits 1 when there is any error. ``--json`` prints one JSON object
instead (``ocds_releases``, ``ocds_errors``, ``ocds_build_s``, ``ocds_validate_s``), for ``make bench`` to
merge into benchmarks/latest.json. The database and settings are the environment's (DJANGO_SETTINGS_MODULE,
default config.settings.local; DATABASE_URL). The package is the public one: the whole register.

``opendata.check.check_published_register()`` does the same from Python, where Django is already set up.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--show", type=int, default=10, help="how many errors to print (default 10)")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    import django

    django.setup()
    from django.db import DatabaseError

    from opendata.check import check_published_register

    try:
        figures = check_published_register()
    except DatabaseError as exc:
        print(f"OCDS check: the database could not be read ({exc}); run manage.py migrate first.", file=sys.stderr)
        return 2
    errors = figures.pop("errors")
    if args.json:
        print(json.dumps({**figures, "ocds_first_errors": errors[: args.show]}))
    else:
        print(
            f"OCDS: {figures['ocds_releases']} releases, {figures['ocds_errors']} schema errors; built in "
            f"{figures['ocds_build_s']} s, validated in {figures['ocds_validate_s']} s "
            f"(schemas from {figures['ocds_schemas']})"
        )
        for error in errors[: args.show]:
            print(f"  {error}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
