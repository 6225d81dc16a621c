"""Which distribution circle is installed as, and its version.

`circle` on the package index is an unrelated project, so the distribution is named
circle-facilitator; the command and the import package are both `circle`.
"""

from __future__ import annotations

DISTRIBUTION = "circle-facilitator"


def version() -> str:
    """The installed version, from the distribution's metadata (read on demand: it costs a scan)."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed

    try:
        return installed(DISTRIBUTION)
    except PackageNotFoundError:
        return "(not installed)"
