"""``manage.py export_person --workspace SLUG --email jane@example.com [--output FILE]``."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand

from crm_sync.privacy.export import person_export

from .erase_person import add_person_arguments, command_keys, command_workspace


class Command(BaseCommand):
    help = "Export everything stored about a person, named by any key, as JSON."

    def add_arguments(self, parser):
        add_person_arguments(parser)
        parser.add_argument("--output", type=Path, help="Write here instead of standard output.")

    def handle(self, *args, **opts):
        export = person_export(workspace=command_workspace(opts["workspace"]),
                               keys=command_keys(opts))
        text = json.dumps(export, indent=2, ensure_ascii=False)
        if opts["output"]:
            opts["output"].write_text(text + "\n", encoding="utf-8")
            self.stdout.write(f"Wrote {opts['output']} ({sum(export['counts'].values())} rows).")
        else:
            self.stdout.write(text)
