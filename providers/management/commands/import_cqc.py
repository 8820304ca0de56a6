"""python manage.py import_cqc --format locations|long|wide FILE [--dry-run] [--user USERNAME] [--extract]
[--include-population-groups]"""

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.utils.module_loading import import_string

from providers.import_forms import CQC_FORMATS
from providers.imports import ImportFileError


class Command(BaseCommand):
    help = (
        "Import one of CQC's files: the HSCA active locations file (locations), the ratings file with a row per "
        "key question (long) or with a row per location (wide). Nothing is saved if any row has an error."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="Path to the file (.ods, .xlsx or .csv).")
        parser.add_argument("--format", choices=sorted(CQC_FORMATS), default="locations", help="Which CQC file.")
        parser.add_argument("--dry-run", action="store_true", help="Check the file and report; save nothing.")
        parser.add_argument("--user", help="Username recorded as the importer.")
        parser.add_argument(
            "--extract", action="store_true", help="locations: the file is an extract; flag nothing as missing."
        )
        parser.add_argument(
            "--include-population-groups", action="store_true", help="long: check and list the other groups too."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file.")
        by = None
        if options["user"]:
            by = get_user_model().objects.filter(username=options["user"]).first()
            if by is None:
                raise CommandError(f"There is no user called '{options['user']}'.")
        kind = options["format"]
        extra: dict[str, bool] = {}
        if kind == "locations":
            extra["flag_missing"] = not options["extract"]
        elif kind == "long":
            extra["include_population_groups"] = options["include_population_groups"]
        importer = import_string(CQC_FORMATS[kind][1])
        try:
            report = importer(content=path.read_bytes(), filename=path.name, by=by, dry_run=options["dry_run"], **extra)
        except ImportFileError as error:
            raise CommandError(f"{path}: {error}") from error
        except PermissionDenied as refusal:
            raise CommandError(f"{options['user']} may not import CQC files: {refusal}") from refusal
        self._write_report(report, dry_run=options["dry_run"])

    def _write_report(self, report: Any, *, dry_run: bool) -> None:
        for problem in report.errors:
            self.stderr.write(str(problem))
        if report.errors:
            raise CommandError(f"{report.error_count} error(s) found; nothing was imported.")
        verb = "Would import" if dry_run else "Imported"
        self.stdout.write(
            f"{verb}: {report.created} new, {report.updated} updated, {report.unchanged} unchanged "
            f"({report.rows_read} rows read)."
        )
        for section in report.sections():
            if section["count"]:
                self.stdout.write(f"{section['title']}: {section['count']}")
                for row in section["rows"]:
                    self.stdout.write("  " + " | ".join(str(cell) for cell in row))
        if dry_run:
            self.stdout.write("Dry run: nothing was saved.")
