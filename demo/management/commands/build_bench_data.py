"""python manage.py build_bench_data [--contracts N] [--providers N] [--visits N] [--strategies N] [--scale F]
[--import-file PATH --import-rows N]: the generated data set for ``make bench``."""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from demo import bench_data


class Command(BaseCommand):
    help = (
        "Top the database up to the given totals of strategies, providers, contracts and visits (demo data counts "
        "towards them) with generated rows, and optionally write a contract register file for the import benchmark."
    )

    def add_arguments(self, parser):
        for name, default in bench_data.DEFAULT_COUNTS.items():
            parser.add_argument(f"--{name}", type=int, default=default, help=f"Total {name} (default {default:,}).")
        parser.add_argument("--scale", type=float, default=1.0, help="Multiply every total, e.g. 0.1 or 0.01.")
        parser.add_argument("--seed", type=int, default=2026, help="Random seed (default 2026).")
        parser.add_argument("--import-file", help="Also write a contract register CSV for import_contracts here.")
        parser.add_argument("--import-rows", type=int, default=10_000, help="Rows in the import file (default 10,000).")

    def handle(self, *args, **options):
        if options["scale"] <= 0:
            raise CommandError("--scale must be more than 0.")
        counts = bench_data.scaled({name: options[name] for name in bench_data.DEFAULT_COUNTS}, options["scale"])
        started = time.monotonic()
        result = bench_data.build(**counts, seed=options["seed"])
        elapsed = time.monotonic() - started
        added = ", ".join(f"{value:,} {name}" for name, value in result.added.items() if value) or "nothing"
        self.stdout.write(f"Added {added} in {elapsed:.1f}s.")
        self.stdout.write("Totals: " + ", ".join(f"{value:,} {name}" for name, value in result.totals.items()) + ".")
        if options["import_file"]:
            try:
                path = bench_data.write_import_file(Path(options["import_file"]), rows=options["import_rows"])
            except ValueError as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(f"Wrote {options['import_rows']:,} contract rows to {path}.")
        self.stdout.write(self.style.SUCCESS("Bench data ready."))
