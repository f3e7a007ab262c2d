from datetime import UTC, datetime

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from crm_sync.demo.services import ADMIN_PASSWORD, ADMIN_USERNAME, DemoExists, demo_seed


class Command(BaseCommand):
    help = "Create a realistic demo workspace: journeys, conversions, CRM deals, platform metrics."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=42, help="Same seed, same data.")
        parser.add_argument("--conversions", type=int, default=10_000,
                            help="How many conversion events to generate (1M works, in bulk).")
        parser.add_argument("--days", type=int, default=90, help="Length of the period.")
        parser.add_argument("--non-converting", type=float, default=3.0,
                            help="Visitors who never convert, per converting person (on average).")
        parser.add_argument("--end-date", help="Last day (YYYY-MM-DD, UTC); default: today.")
        parser.add_argument("--reset", action="store_true",
                            help="Replace the demo workspace if it exists.")
        parser.add_argument("--if-empty", action="store_true",
                            help="Do nothing when the demo workspace exists already.")

    def handle(self, *args, **opts):
        if opts["conversions"] < 1:
            raise CommandError("--conversions must be at least 1.")
        if opts["non_converting"] < 0:
            raise CommandError("--non-converting must be 0 or more.")
        end = None
        if opts["end_date"]:
            try:
                end = datetime.strptime(opts["end_date"], "%Y-%m-%d").replace(tzinfo=UTC)
            except ValueError as exc:
                raise CommandError("--end-date must look like 2026-11-25.") from exc
        bar = tqdm(total=opts["conversions"], unit="conv", desc="seed_demo",
                   disable=opts["verbosity"] == 0)
        try:
            summary = demo_seed(seed=opts["seed"], conversions=opts["conversions"],
                                days=opts["days"], end=end, reset=opts["reset"],
                                progress=bar.update, non_converting=opts["non_converting"])
        except DemoExists as exc:
            bar.close()
            if opts["if_empty"]:
                self.stdout.write("Demo workspace exists already; keeping it.")
                return
            raise CommandError(str(exc)) from exc
        bar.close()
        counts = ", ".join(f"{v:,} {k}" for k, v in summary.counts.items())
        self.stdout.write(self.style.SUCCESS(f"Seeded '{summary.workspace.name}': {counts}."))
        self.stdout.write(f"Admin login: {ADMIN_USERNAME} / {ADMIN_PASSWORD}")
        self.stdout.write(f"Tracker site key: {summary.site.public_key}")
        self.stdout.write(f"Server events API key (shown once): {summary.secret_key}")
