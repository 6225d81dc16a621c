"""The projector theme: high contrast that survives a washed-out beamer."""

from __future__ import annotations

from textual.theme import Theme

PROJECTOR = Theme(
    name="projector",
    primary="#FFD400",
    secondary="#00D7FF",
    accent="#00D7FF",
    warning="#FF9F1A",
    error="#FF4040",
    success="#3DFF7A",
    foreground="#FFFFFF",
    background="#000000",
    surface="#0A0A0A",
    panel="#1C1C1C",
    dark=True,
)
