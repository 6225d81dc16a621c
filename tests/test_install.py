"""The wheel, installed into a fresh environment, gives the `circle` command and `python -m circle`.

Offline and quick: the wheel is built from this environment (no build isolation), installed
without its dependencies, and the fresh environment borrows this one's for them.
"""

import json
import os
import re
import subprocess
import sys
import sysconfig
import tomllib
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """A fresh environment holding only the wheel; returns its bin folder."""
    pytest.importorskip("hatchling", reason="the test extra installs hatchling, which builds the wheel")
    work = tmp_path_factory.mktemp("install")
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--no-input", "--quiet"]
    subprocess.run([*pip, "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-w", work, ROOT], check=True)
    (wheel,) = work.glob("*.whl")
    env = work / "venv"
    venv.create(env, with_pip=False)
    python = env / "bin" / "python"
    subprocess.run([*pip, "--python", python, "install", "--no-deps", "--no-index", wheel], check=True)
    site = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    # The dependencies from this environment, after the fresh one's own folder: its circle comes first.
    borrowed = dict.fromkeys(sysconfig.get_paths()[k] for k in ("purelib", "platlib"))
    (Path(site) / "borrowed-dependencies.pth").write_text("\n".join(borrowed) + "\n")
    return env / "bin"


def run(argv, tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["CIRCLE_HOME"] = str(tmp_path)
    return subprocess.run(argv, capture_output=True, text=True, timeout=60, env=env, cwd=tmp_path)


def test_the_wheel_is_named_for_the_package_index_and_installs_the_circle_command(installed, tmp_path):
    python = installed / "python"
    where = run([python, "-c", "import circle, importlib.metadata as m; print(circle.__file__)"], tmp_path)
    assert where.returncode == 0, where.stderr
    assert Path(where.stdout.strip()).is_relative_to(installed.parent)  # the wheel's copy, not the source tree
    meta = run([python, "-c", "import importlib.metadata as m; print(m.version('circle-facilitator'))"], tmp_path)
    assert meta.stdout.strip() == PROJECT["version"]
    for argv in ([python, "-m", "circle", "--version"], [installed / "circle", "--version"]):
        done = run(argv, tmp_path)
        assert (done.returncode, done.stderr) == (0, "")
        assert done.stdout == f"circle {PROJECT['version']}\n"


def test_the_metadata_says_who_and_where(installed, tmp_path):
    python = installed / "python"
    script = "import json, importlib.metadata as m; print(json.dumps(m.metadata('circle-facilitator').json))"
    meta = json.loads(run([python, "-c", script], tmp_path).stdout)
    assert meta["name"] == "circle-facilitator"
    assert meta["author"] == "The circle developers"
    assert meta["license_expression"] == "MIT"
    urls = dict(u.split(", ", 1) for u in meta["project_url"])
    assert set(urls) == {"Homepage", "Documentation", "Source", "Issues"}
    assert all(u.startswith("https://github.com/circle-facilitator/circle") for u in urls.values())
    assert "Programming Language :: Python :: 3.11" in meta["classifier"]
    # The README is the page the package index shows: its pictures must load from there.
    assert "](https://raw.githubusercontent.com/circle-facilitator/circle/main/screens/" in meta["description"]


def test_the_licence_text_ships_with_it(installed, tmp_path):
    script = (
        "import importlib.metadata as m; d = m.distribution('circle-facilitator'); "
        "print(next(f.read_text() for f in d.files if f.name == 'LICENSE'))"
    )
    text = run([installed / "python", "-c", script], tmp_path).stdout
    assert text.startswith("MIT License\n") and "Permission is hereby granted, free of charge" in text


def test_every_picture_in_the_readme_loads_off_the_repository():
    """The package index shows the README away from the repository, where a relative link is broken."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    pictures = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", readme)
    raw = "https://raw.githubusercontent.com/circle-facilitator/circle/main/"
    assert len(pictures) > 20
    assert [p for p in pictures if not p.startswith(raw)] == []
    assert [p for p in pictures if not (ROOT / p.removeprefix(raw)).is_file()] == []
    assert re.findall(r"\]\((?!https://|#)[^)]+\)", readme) == []  # no relative link of any kind
