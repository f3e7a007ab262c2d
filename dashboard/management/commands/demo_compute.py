"""Run every computation the demo needs after seeding, in data-flow order."""

from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand

from crm_sync.demo.services import DEMO_SLUG

# (command, options): each step runs when its command is installed.
STEPS = [
    ("run_attribution", {"workspace": DEMO_SLUG}),
    ("run_audit", {"workspace": DEMO_SLUG}),
]


class Command(BaseCommand):
    help = "Compute everything the demo shows (attribution, audit) for the demo workspace."

    def handle(self, *args, **opts):
        available = get_commands()
        for name, options in STEPS:
            if name in available:
                self.stdout.write(f"==> {name}")
                call_command(name, **options)
