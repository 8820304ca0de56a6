"""python manage.py import_contracts FILE [--dry-run] [--create-providers] [--user USERNAME]"""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from contracts.imports import COLUMNS, ImportFileError, import_contracts


class Command(BaseCommand):
    help = (
        "Import the contract register from a CSV or Excel (.xlsx) file. Every row is checked first; with any "
        "problem nothing is imported. Contracts are matched on reference, so a re-import updates them. Columns: "
        + ", ".join(f"{c.header}{'*' if c.required else ''}" for c in COLUMNS)
        + " (* required)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="Path to a .csv or .xlsx file with the template's columns.")
        parser.add_argument("--dry-run", action="store_true", help="Check the file and report; import nothing.")
        parser.add_argument(
            "--create-providers",
            action="store_true",
            help="Add providers not found by Companies House number or name (otherwise they are errors).",
        )
        parser.add_argument("--user", help="Username recorded as having made the changes.")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No file at {path}.")
        user = None
        if options["user"]:
            try:
                user = get_user_model().objects.get(username=options["user"])
            except get_user_model().DoesNotExist as exc:
                raise CommandError(f"No user '{options['user']}'.") from exc
        try:
            report = import_contracts(
                content=path.read_bytes(),
                filename=path.name,
                by=user,
                dry_run=options["dry_run"],
                create_providers=options["create_providers"],
            )
        except ImportFileError as exc:
            raise CommandError(str(exc)) from exc
        except PermissionDenied as exc:
            raise CommandError(f"{options['user']} may not import contracts: {exc}") from exc
        if not report.ok:
            for error in report.errors:
                self.stderr.write(str(error))
            raise CommandError(f"Nothing imported: {len(report.errors)} problem(s) in {report.rows_read} row(s).")
        verb = "would be" if options["dry_run"] else "were"
        self.stdout.write(
            self.style.SUCCESS(
                f"{report.rows_read} row(s) checked: {report.created} contract(s) {verb} added, "
                f"{report.updated} {verb} updated, {report.unchanged} unchanged"
                + (f", {len(report.new_providers)} new provider(s)" if report.new_providers else "")
                + ("." if not options["dry_run"] else ". Dry run: nothing was saved.")
            )
        )
