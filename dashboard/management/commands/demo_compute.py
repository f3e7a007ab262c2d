"""Run every computation the demo shows after seeding, in data-flow order."""

from django.core.management import call_command
from django.core.management.base import BaseCommand

from crm_sync.demo.services import DEMO_SLUG

STEPS = ["run_attribution", "refresh_diagnostics", "run_audit"]


class Command(BaseCommand):
    help = "Compute attribution, diagnostics and the audit for the demo workspace."

    def handle(self, *args, **opts):
        for name in STEPS:
            self.stdout.write(f"==> {name}")
            call_command(name, workspace=DEMO_SLUG, stdout=self.stdout, stderr=self.stderr)
