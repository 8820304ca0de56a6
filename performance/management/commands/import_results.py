"""python manage.py import_results FILE --user USERNAME [--dry-run]: quarterly results from a CSV file."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from performance.imports import import_results


class Command(BaseCommand):
    help = (
        "Import quarterly measure results from a CSV file, entered as --user (whose role and directorate decide "
        "which measures they may enter). Nothing is saved if any row has an error or is not theirs to enter."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="Check the file and report, saving nothing.")
        parser.add_argument("--user", required=True, help="Username of the person entering the results.")

    def handle(self, *args, file: Path, dry_run: bool, user: str, **options):
        if not file.is_file():
            raise CommandError(f"No file at {file}.")
        try:
            by = get_user_model().objects.get(username=user)
        except get_user_model().DoesNotExist:
            raise CommandError(f"No user called '{user}'.") from None
        try:
            report = import_results(data=file.read_bytes(), by=by, dry_run=dry_run)
        except PermissionDenied as refusal:
            raise CommandError(f"Nothing imported: {refusal}") from None
        if not report.ok:
            for error in report.errors:
                self.stderr.write(str(error))
            raise CommandError(f"{len(report.errors)} error(s): nothing imported.")
        verb = "Would import" if dry_run else "Imported"
        self.stdout.write(
            self.style.SUCCESS(f"{verb} {len(report.rows)} result(s): {report.created} new, {report.updated} updated.")
        )
