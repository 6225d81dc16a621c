"""The base of every problem circle words for a person: one line, what and where.

It lives on its own so the command line can catch any of them without loading
the modules that raise them (a quicker start).
"""

from __future__ import annotations


class CircleError(Exception):
    """A problem worded for the facilitator; ``str()`` is what they read."""
