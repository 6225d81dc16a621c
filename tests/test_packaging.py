"""protocols/ and data/ must ship inside the wheel, not only sit in the source tree; the harness must not."""

from pathlib import Path

import pytest

import circle
from circle.core.resources import bundled_dir


def test_bundled_folders_are_found():
    assert sorted(p.name for p in bundled_dir("protocols").glob("feelz-*.yaml")) == [
        "feelz-appreciation.yaml",
        "feelz-checkin.yaml",
        "feelz-reflect.yaml",
    ]
    assert (bundled_dir("data") / "reciprocity.yaml").is_file()


def test_installed_package_carries_its_own_copies():
    package = Path(circle.__file__).parent
    if "site-packages" not in package.parts:
        pytest.skip("an editable install reads the source tree; CI installs the wheel")
    assert (package / "protocols" / "feelz-checkin.yaml").is_file()
    assert (package / "protocols" / "protocol.schema.json").is_file()
    assert (package / "data" / "reciprocity.yaml").is_file()
    assert (package / "follow" / "page.html").is_file()  # the follow-along page
    assert (package / "follow" / "remote.html").is_file()  # the facilitator's remote
    assert (package / "tui" / "screens" / "follow.tcss").is_file()
    # The gallery, the crash trials and the demo roster are the tests' harness (tools/), not the product.
    shipped = {p.name for p in package.rglob("*")}
    assert not shipped & {"gallery.py", "crash_trials.py", "crash_process.py", "demo-roster.yaml"}
