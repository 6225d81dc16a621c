"""Opening the protocol editor: from home (ctrl+e), and from `circle new` and `circle edit`.

A bundled protocol is never changed in place: it is edited as a copy in the user's folder. Once
saved, the library is read again, so home lists what was saved, and it can be run at once.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from circle.core.errors import CircleError
from circle.core.resources import bundled_dir

if TYPE_CHECKING:
    from circle.protocol.editing import ProtocolDraft
    from circle.tui.app import CircleApp


def is_bundled(path: Path) -> bool:
    return path.resolve().is_relative_to(bundled_dir("protocols").resolve())


def draft_for(app: CircleApp, protocol_id: str | None, *, new: bool = False, based_on: str | None = None):
    """The draft to edit: an existing protocol (a copy, if it is bundled), or a new one (from
    ``based_on``, or the template). A CircleError says why not, in a line."""
    from circle.protocol.editing import ProtocolDraft

    library = app.library
    assert library is not None
    if new:
        if not protocol_id:
            raise CircleError("a new protocol needs an id: lowercase letters, digits and dashes")
        if protocol_id in library.protocols:
            raise CircleError(f"there is already a protocol '{protocol_id}'; `circle edit {protocol_id}` changes it")
        if based_on is None:
            return ProtocolDraft.new(protocol_id)
        library.get(based_on)  # an unknown id says so, with the nearest ones
        return ProtocolDraft.copy_of(library.origins[based_on], protocol_id)
    assert protocol_id is not None
    library.get(protocol_id)
    origin = library.origins[protocol_id]
    if is_bundled(origin):
        return ProtocolDraft.copy_of(origin, f"{protocol_id}-copy")
    return ProtocolDraft.open(origin)


def open_editor(app: CircleApp, draft: ProtocolDraft) -> None:
    from circle.tui.screens.editor import EditorScreen

    def done(saved: ProtocolDraft | None, run: bool) -> None:
        app.pop_screen()
        if saved is None:
            return
        protocol = saved.protocol()
        if protocol is not None:
            app.reload_library(then=lambda: app.home.choose(protocol.id, names=run))

    app.push_screen(EditorScreen(draft, done))


def edit(app: CircleApp, protocol_id: str | None, *, new: bool = False, based_on: str | None = None) -> None:
    """Open the editor, or say in a line why it cannot open."""
    try:
        draft = draft_for(app, protocol_id, new=new, based_on=based_on)
    except CircleError as exc:
        app.notify(str(exc), severity="error", timeout=10)
        return
    open_editor(app, draft)


def offer_drafts(app: CircleApp) -> bool:
    """A protocol left unsaved in the editor (circle closed or killed): offer it again. True if offered."""
    from circle.protocol.editing import ProtocolDraft
    from circle.tui.screens.dialogs import ConfirmDialog

    drafts = ProtocolDraft.drafts()
    if not drafts:
        return False
    left = drafts[0]

    def answer(yes: bool | None) -> None:
        if yes:
            try:
                draft = ProtocolDraft.open(left)  # to be saved as the protocol of its id
            except CircleError as exc:
                app.notify(str(exc), severity="error", timeout=10)
                return
            open_editor(app, draft)
        elif yes is False:
            left.unlink(missing_ok=True)

    detail = "y opens it in the editor, n throws it away, escape asks again next time"
    app.push_screen(ConfirmDialog(f"{left.stem} was left unsaved in the editor", detail), answer)
    return True
