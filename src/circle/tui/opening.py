"""Opening sessions on the wall: start one, resume one that was never ended, show one that has.

Each screen is made here with what it uses (the store, the clock, the rules, the phones), and
put on the stack above home, the default screen at the bottom.
"""

from __future__ import annotations

import gc
from typing import TYPE_CHECKING

from circle.core.errors import CircleError
from circle.core.localtime import moment
from circle.store import SessionRow, StoreError

if TYPE_CHECKING:
    from circle.engine import Session, State
    from circle.tui.app import CircleApp
    from circle.tui.screens.live import LiveScreen


def to_home(app: CircleApp) -> None:
    while len(app.screen_stack) > 1:  # home is the default screen, at the bottom
        app.pop_screen()


def show_ledger(app: CircleApp) -> None:
    from circle.tui.screens.ledger import LedgerScreen

    to_home(app)
    app.push_screen(LedgerScreen(app.store, app.rules, app.remembered, app.tz, clock=app.clock))


def show_groups(app: CircleApp) -> None:
    from circle.tui.screens.groups import GroupsScreen

    to_home(app)
    app.push_screen(GroupsScreen(app.store, app.tz))


def show_loops(app: CircleApp) -> None:
    from circle.tui.screens.loops import LoopsScreen

    to_home(app)
    app.push_screen(LoopsScreen(app.store, app.tz, app.remembered, app.clock))


def start_session(app: CircleApp, protocol_id: str, names: list[str], group: str | None = None) -> bool:
    """Start a session and show it; False (with a notice) when it cannot be started."""
    from circle.engine import size_warning
    from circle.sessions import start_session

    assert app.library is not None  # home starts nothing before the protocols are read
    try:
        protocol = app.library.get(protocol_id)
        session = start_session(app.store, protocol, names, app.clock, group=group)
    except CircleError as exc:  # an unknown protocol, a roster that cannot be, a database that refuses
        app.notify(str(exc), severity="error")
        return False
    warning = size_warning(protocol, len(session.state.present))
    if warning:
        app.notify(warning, severity="warning", timeout=6)
    show_live(app, session)
    return True


def show_live(app: CircleApp, session: Session) -> None:
    to_home(app)
    # Screens load when first shown: a quicker start.
    screen_class: type[LiveScreen]
    if session.state.protocol is not None and session.state.protocol.layout == "agenda":
        from circle.tui.screens.agenda import AgendaScreen as screen_class
    else:
        from circle.tui.screens.live import LiveScreen as screen_class
    screen = screen_class(session, app.store, app.clock, app.tz, rules=app.rules, following=app.following)
    app.push_screen(screen)
    app.call_after_refresh(_freeze_for_the_session)
    if app.follow_at_start:  # circle run --follow: the code is on the wall from the start
        app.follow_at_start = False
        app.call_after_refresh(screen.run_action, "follow")
    elif session.state.session_id and not app.store.readonly:
        saved = app.store.share(session.state.session_id)
        if saved and saved[2]:  # it was shared when circle stopped: share it again, same address
            app.call_after_refresh(screen.share_again)


def _freeze_for_the_session() -> None:
    """Keep the collector's full passes short while a session runs (see CircleApp.library_ready).

    What earlier screens left behind is collected first, once, at a moment when nothing
    is timed, so that a day of sessions does not keep their screens frozen in memory."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()


def show_summary(app: CircleApp, session: Session) -> None:
    to_home(app)
    from circle.tui.screens.summary import SummaryScreen

    points: tuple[str, ...] = ()
    if session.state.group is not None:  # a meeting's points take every earlier meeting to know
        from circle.games.reciprocity.ledger import compute

        try:
            ledger = compute(app.store, app.rules, app.tz)
            points = tuple(ledger.meeting_lines(session.state.session_id, app.rules))
        except StoreError as exc:  # the notes are still shown; the points say why they are missing
            points = (f"points not added up: {exc}",)
    app.push_screen(
        SummaryScreen(session, app.remembered, app.tz, points, clock=app.clock, rules=app.rules, store=app.store)
    )


def open_session(app: CircleApp, session_id: str) -> None:
    """From the recent list: an unfinished session is offered for resuming."""
    from circle.sessions import open_session

    try:
        row = app.store.session(session_id)
        if row.ended:
            show_summary(app, open_session(app.store, row.id, app.clock))
        else:
            offer_resume(app, row)
    except CircleError as exc:  # a damaged session (or file) says so in one line; the rest goes on
        app.notify(str(exc), severity="error", timeout=12)


def offer_resume(app: CircleApp, row: SessionRow) -> None:
    from circle.core.durations import format_clock
    from circle.engine import countdown_seconds
    from circle.sessions import open_session, resume_session
    from circle.tui.screens.dialogs import ResumeDialog

    try:
        session = open_session(app.store, row.id, app.clock)
    except CircleError as exc:
        app.notify(f"cannot resume {row.title}: {exc}", severity="error", timeout=12)
        return
    state = session.state
    when = moment(row.last_seen, app.tz).strftime("%a %d %b, %H:%M")
    run, slot = state.run, state.current
    where = f"Step {run.index + 1}: {run.step.title}" if run else ""
    if slot is not None:
        left = countdown_seconds(slot.allotted - slot.spent - _since(state, row))
        where += f", {slot.label}, {format_clock(left)} left"
    detail = f"Last active {when}.\n{where}\nThe time circle was closed counts as paused."

    def chosen(choice: str | None) -> None:
        try:
            if choice == "resume":
                show_live(app, resume_session(app.store, row, app.clock))
            elif choice == "end":
                resumed = resume_session(app.store, row, app.clock)
                resumed.end()
                app.go_home()
                app.notify(f"ended {row.title}; its notes are kept")
        except CircleError as exc:
            app.notify(str(exc), severity="error")

    app.push_screen(ResumeDialog(f"Resume {row.title}?", detail), chosen)


def _since(state: State, row: SessionRow) -> float:
    """Running time between the last event and the last heartbeat."""
    if state.running_since is None:
        return 0.0
    return max(0.0, row.last_seen - state.running_since)
