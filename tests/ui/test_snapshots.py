"""Snapshots of every screen: the gallery's scenes, with a frozen clock and fixed data.

After an intended change: `pytest tests/ui --snapshot-update`, look at the SVGs
(or snapshot_report.html), and refresh the README gallery with
`python -m tools.gallery screens/`.
"""

from __future__ import annotations

import pytest

from tools.gallery import SCENES, new_world


@pytest.mark.parametrize("scene", SCENES, ids=[s.name for s in SCENES])
def test_screen(scene, snap_compare, tmp_path):
    app, run_before = scene.build(new_world(tmp_path))
    assert snap_compare(app, terminal_size=scene.size, run_before=run_before)
