from django.core.management.base import BaseCommand, CommandParser

from search import indexing
from search.registry import BY_KEY


class Command(BaseCommand):
    help = "Rebuild the search index from the records (every type, or those named with --type), in batches."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=500)
        parser.add_argument("--type", action="append", choices=sorted(BY_KEY), dest="types")

    def handle(self, *args, batch_size: int, types: list[str] | None, **options) -> None:
        counts = indexing.rebuild(batch_size=batch_size, keys=types)
        for key, count in counts.items():
            self.stdout.write(f"{BY_KEY[key].label}: {count} indexed")
        self.stdout.write(self.style.SUCCESS(f"Search index rebuilt: {sum(counts.values())} entries."))
