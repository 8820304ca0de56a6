"""python manage.py apply_retention [--dry-run] [--type RECORD_TYPE] [--today YYYY-MM-DD] [--batch-size N]"""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from records.retention import REGISTRY, Action, retention_apply


class Command(BaseCommand):
    help = (
        "List what the retention schedule says is due, then delete or anonymise it through each app's services "
        "(legal holds respected; 'review' items are listed, never applied). Types: " + ", ".join(REGISTRY) + "."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="List what is due; change nothing.")
        parser.add_argument("--type", dest="record_type", help="Only this record type, e.g. contracts.contract.")
        parser.add_argument("--today", help="The date to apply the schedule as of (default: today).")
        parser.add_argument("--batch-size", type=int, default=500, help="Records to a transaction (default 500).")

    def handle(self, *args, **options):
        record_type = options["record_type"]
        if record_type and record_type not in REGISTRY:
            raise CommandError(f"No record type '{record_type}'. Types: {', '.join(REGISTRY)}.")
        try:
            today = date.fromisoformat(options["today"]) if options["today"] else None
        except ValueError as error:
            raise CommandError(f"--today must be a date as YYYY-MM-DD, not '{options['today']}'.") from error
        summary = retention_apply(
            today=today, dry_run=options["dry_run"], batch_size=options["batch_size"], record_type=record_type
        )
        self.stdout.write(f"Due: {len(summary.due)}")
        for item in summary.due:
            state = "held" if item.held else ("for review" if item.action == Action.REVIEW else item.action)
            self.stdout.write(
                f"  {item.record_type} {item.object_id} {item.label} — trigger {item.trigger_date:%d/%m/%Y}, "
                f"due {item.due_date:%d/%m/%Y}: {state}"
            )
        verb = "Would apply" if summary.dry_run else "Applied"
        self.stdout.write(f"{verb}: {summary.applied_total}")
        for key, count in sorted(summary.applied.items()):
            self.stdout.write(f"  {key}: {count}")
        self.stdout.write(f"Held: {sum(summary.held.values())}")
        self.stdout.write(f"For review (never applied automatically): {sum(summary.review.values())}")
        for item, message in summary.failed:
            self.stderr.write(f"Not applied: {item.record_type} {item.object_id} {item.label}: {message}")
