"""python manage.py load_demo [--password PASSWORD]: the Lincolnshire 2018/19 demo data, idempotent."""

import time

from django.core.management.base import BaseCommand

from commissioning import roles
from demo import DEFAULT_PASSWORD, load
from demo.people import ROLE_USERS


class Command(BaseCommand):
    help = "Load the Lincolnshire 2018/19 demo data (six strategies, contracts, providers, activity) and demo users."

    def add_arguments(self, parser):
        parser.add_argument(
            "--password", default=DEFAULT_PASSWORD, help=f"Password for every demo user (default {DEFAULT_PASSWORD})."
        )

    def handle(self, *args, password, **options):
        started = time.monotonic()
        result = load(password=password)
        elapsed = time.monotonic() - started
        if result["generated"]:
            self.stdout.write(f"Demo data loaded in {elapsed:.1f}s.")
        else:
            self.stdout.write(f"Demo data was already there; seed records checked in {elapsed:.1f}s.")
        self.stdout.write("Log in as:")
        for username, *_rest, role, _staff in ROLE_USERS:
            self.stdout.write(f"  {username:<14} {role:<18} password: {password}")
        leads = sorted(u.username for u in result["users"].values() if u.username not in {r[0] for r in ROLE_USERS})
        self.stdout.write(f"Other demo users (same password): {', '.join(leads)}")
        self.stdout.write(self.style.SUCCESS(f"Roles: {', '.join(roles.ALL_ROLES)}."))
