"""The domain layer stays free of the terminal UI, so it can be used and tested on its own."""

import subprocess
import sys

DOMAIN = [
    "circle.protocol",
    "circle.loader",
    "circle.engine",
    "circle.store",
    "circle.sessions",
    "circle.export",
    "circle.report",
    "circle.localtime",
    "circle.durations",
    "circle.clock",
    "circle.resources",
    "circle.liveview",
    "circle.scoring",
    "circle.ledger",
    "circle.ledger_report",
    "circle.groups",
    "circle.lock",
    "circle.agenda",
    "circle.openspace",
    "circle.methods",
    "circle.loops",
    "circle.mixer",
    "circle.mix_cli",
    "circle.cli",  # Textual loads only when a screen is opened, not for `circle export`
    "circle.errors",
    "circle.events",
    "circle.parse_cache",
    "circle.follow",
    "circle.follow_server",
    "circle.qr",
    "circle.merge",
    "circle.crash_trials",
    "circle.crash_process",  # the child it starts loads Textual; the module does not
]

PROBE = f"""
import sys
for name in {DOMAIN!r}:
    __import__(name)
print(" ".join(sorted(m for m in ("textual", "rich") if m in sys.modules)))
"""


def test_domain_modules_do_not_import_textual_or_rich():
    result = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "", f"loaded by the domain layer: {result.stdout.strip()}"


FIRST_PAINT = """
import sys
import circle.cli, circle.app, circle.screens.home
print(" ".join(sorted(m for m in ("pydantic", "ruamel", "circle.engine", "circle.loader") if m in sys.modules)))
"""


def test_home_is_painted_before_the_protocol_models_load():
    """`circle` paints home first; the models, YAML parser and engine load after (a quick start)."""
    result = subprocess.run([sys.executable, "-c", FIRST_PAINT], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "", f"loaded before home can paint: {result.stdout.strip()}"
