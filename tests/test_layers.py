"""The domain stays free of the terminal UI, so it can be used and tested on its own."""

import subprocess
import sys

# Which package may import which is the import-linter contract in pyproject.toml (`lint-imports`,
# run by .ci/run). This checks the same at run time, for every module where it sits: the command
# line loads Textual only when a screen opens, so `circle export` and friends start quickly.
PROBE = """
import pkgutil, sys
import circle
for module in pkgutil.walk_packages(circle.__path__, "circle."):
    if not module.name.startswith("circle.tui") and module.name != "circle.cli.__main__":
        __import__(module.name)
print(" ".join(sorted(m for m in ("textual", "rich") if m in sys.modules)))
"""


def test_everything_but_the_screens_loads_without_textual_or_rich():
    result = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "", f"loaded outside circle.tui: {result.stdout.strip()}"


FIRST_PAINT = """
import sys
import circle.cli, circle.tui.app, circle.tui.screens.home
SLOW = ("pydantic", "ruamel", "circle.engine", "circle.protocol.loader")
print(" ".join(sorted(m for m in SLOW if m in sys.modules)))
"""


def test_home_is_painted_before_the_protocol_models_load():
    """`circle` paints home first; the models, YAML parser and engine load after (a quick start)."""
    result = subprocess.run([sys.executable, "-c", FIRST_PAINT], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "", f"loaded before home can paint: {result.stdout.strip()}"
