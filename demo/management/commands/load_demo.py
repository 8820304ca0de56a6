"""python manage.py load_demo [--password PASSWORD] [--i-know-this-is-not-production]: the Lincolnshire 2018/19
demo data, idempotent.

With DEBUG off (the production settings, or any real deployment) it refuses unless told this is not production,
and then never gives the demo users the documented password: the one given with --password, or a new random one,
printed once.
"""

import secrets
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from commissioning import roles
from demo import DEFAULT_PASSWORD, load
from demo.people import ROLE_USERS


class Command(BaseCommand):
    help = "Load the Lincolnshire 2018/19 demo data (six strategies, contracts, providers, activity) and demo users."

    def add_arguments(self, parser):
        parser.add_argument(
            "--password",
            default=None,
            help=(
                f"Password for every demo user (default with DEBUG on: {DEFAULT_PASSWORD}; with DEBUG off: "
                "a random one, printed once)."
            ),
        )
        parser.add_argument(
            "--i-know-this-is-not-production",
            action="store_true",
            dest="not_production",
            help="Load the demo although DEBUG is off (a test, demonstration or benchmark server only).",
        )

    def handle(self, *args, password, not_production=False, **options):
        if not settings.DEBUG:
            # Demo users with known log-ins, administrators among them, must never reach a live council database.
            if not not_production:
                raise CommandError(
                    "DEBUG is off, so this may be a production database: load_demo refuses to add demo users with "
                    "known log-ins to it. On a test or demonstration server, run it again with "
                    "--i-know-this-is-not-production (and --password, or a random password is printed)."
                )
            if not password:
                password = secrets.token_urlsafe(18)
            elif password == DEFAULT_PASSWORD:
                raise CommandError(
                    "--password: the documented demo password cannot be used with DEBUG off; choose another."
                )
        password = password or DEFAULT_PASSWORD
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
