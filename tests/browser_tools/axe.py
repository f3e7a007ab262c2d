"""axe-core (npm) for the Chromium tests: installed here on first use, injected into pages.

``npm install`` runs in this directory when node_modules lacks axe-core; without npm the tests
that need it skip with the reason (and fail under CI=true, like every missing service).
"""

import shutil
import subprocess
from pathlib import Path

from tests.conftest import skip_or_fail

HERE = Path(__file__).resolve().parent
AXE_JS = HERE / "node_modules" / "axe-core" / "axe.min.js"
SERIOUS = ("serious", "critical")
# WCAG 2.1 A and AA rules, plus axe's best practices (landmarks, headings, region).
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


def axe_script() -> Path:
    """The path of axe.min.js, installing axe-core with npm when it is missing."""
    if AXE_JS.exists():
        return AXE_JS
    npm = shutil.which("npm")
    if npm is None:
        skip_or_fail("npm is missing (apt-get install npm): axe-core cannot be installed")
    result = subprocess.run([npm, "install", "--no-audit", "--no-fund"], cwd=HERE, capture_output=True,
                            text=True, timeout=600, check=False)
    if result.returncode != 0 or not AXE_JS.exists():
        skip_or_fail(f"npm install axe-core failed: {result.stderr.strip()[-500:]}")
    return AXE_JS


def serious_violations(page) -> list[str]:
    """axe-core's serious and critical findings on the page as it is now, one line each."""
    page.add_script_tag(path=str(axe_script()))
    results = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        TAGS,
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — " + "; ".join(str(n["target"]) for n in v["nodes"][:3])
        for v in results["violations"]
        if v["impact"] in SERIOUS
    ]
