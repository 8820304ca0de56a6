"""Render a scrutiny pack now, for scheduled use: ``python manage.py render_pack 12 [--force]``."""

from django.core.management.base import BaseCommand, CommandError

from scrutiny import services
from scrutiny.models import ScrutinyPack


class Command(BaseCommand):
    help = "Render a scrutiny pack's PDF synchronously (reuses the stored file when nothing has changed)."

    def add_arguments(self, parser):
        parser.add_argument("pack_id", type=int)
        parser.add_argument("--force", action="store_true", help="Render even if the inputs are unchanged.")

    def handle(self, *args, pack_id: int, force: bool, **options):
        try:
            outcome = services.pack_render_now(pack_id=pack_id, force=force)
        except ScrutinyPack.DoesNotExist as exc:
            raise CommandError(str(exc)) from exc
        except Exception as exc:
            raise CommandError(f"Rendering pack {pack_id} failed: {services.describe_error(exc)}") from exc
        verb = "Reused the stored file" if outcome.reused else "Rendered"
        self.stdout.write(
            f"{verb}: {outcome.file_name}, {outcome.page_count} pages "
            f"(data and HTML {outcome.data_seconds:.2f}s, layout {outcome.layout_seconds:.2f}s, "
            f"total {outcome.total_seconds:.2f}s)."
        )
