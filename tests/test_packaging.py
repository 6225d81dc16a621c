"""protocols/ and data/ must ship inside the wheel, not only sit in the source tree."""

from pathlib import Path

import pytest

import circle
from circle.resources import bundled_dir


def test_bundled_folders_are_found():
    assert sorted(p.name for p in bundled_dir("protocols").glob("feelz-*.yaml")) == [
        "feelz-appreciation.yaml",
        "feelz-checkin.yaml",
        "feelz-reflect.yaml",
    ]
    assert (bundled_dir("data") / "demo-roster.yaml").is_file()


def test_installed_package_carries_its_own_copies():
    package = Path(circle.__file__).parent
    if "site-packages" not in package.parts:
        pytest.skip("an editable install reads the source tree; CI installs the wheel")
    assert (package / "protocols" / "feelz-checkin.yaml").is_file()
    assert (package / "protocols" / "protocol.schema.json").is_file()
    assert (package / "data" / "demo-roster.yaml").is_file()
    assert (package / "web" / "follow.html").is_file()  # the follow-along page
    assert (package / "screens" / "follow.tcss").is_file()
