"""python manage.py import_cqc_ratings FILE [--dry-run] [--user USERNAME]"""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from providers.imports import ImportFileError, cqc_ratings_import


class Command(BaseCommand):
    help = "Import the CQC care directory with ratings (CSV or .xlsx), matching rows to locations by CQC location ID."

    def add_arguments(self, parser):
        parser.add_argument("file", help="Path to the CQC ratings file (.csv or .xlsx).")
        parser.add_argument("--dry-run", action="store_true", help="Check the file and report; save nothing.")
        parser.add_argument("--user", help="Username recorded as the importer.")

    def handle(self, *args, file: str, dry_run: bool, user: str | None, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"{file}: no such file.")
        by = None
        if user:
            by = get_user_model().objects.filter(username=user).first()
            if by is None:
                raise CommandError(f"There is no user called '{user}'.")
        try:
            result = cqc_ratings_import(content=path.read_bytes(), filename=path.name, by=by, dry_run=dry_run)
        except ImportFileError as error:
            raise CommandError(f"{file}: {error}") from error
        except PermissionDenied as refusal:
            raise CommandError(f"{user} may not import CQC ratings: {refusal}") from refusal

        for problem in result.errors:
            self.stderr.write(str(problem))
        if result.errors:
            raise CommandError(f"{len(result.errors)} error(s) found; nothing was imported.")
        verb = "Would import" if dry_run else "Imported"
        self.stdout.write(
            f"{verb}: {result.created} new, {result.updated} updated, {result.unchanged} unchanged "
            f"({result.rows_read} rows read)."
        )
        if result.unmatched:
            self.stdout.write(f"{len(result.unmatched)} row(s) did not match a location:")
            for row in result.unmatched:
                self.stdout.write(f"  Row {row.row}: {row.location_id} {row.location_name}")
        for drop in result.drops:
            self.stdout.write(
                self.style.WARNING(
                    f"Rating dropped: {drop.location} ({drop.location.provider}) "
                    f"from {drop.previous_label} to {drop.new_label} on {drop.new_on:%d/%m/%Y}"
                )
            )
        if dry_run:
            self.stdout.write("Dry run: nothing was saved.")
