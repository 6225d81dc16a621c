"""Checks that a screen is legible from a laptop to a projector, read from what Textual laid out.

Each check takes a running app (after a Pilot has settled it) and returns its problems as short
sentences, naming the widget, label or person; an empty list means the check passes. They read
the compositor's layout through public APIs (``Screen.find_widget``, ``Widget.region``) and the
drawn text through :func:`tools.shown.screen_lines`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator

from rich.cells import cell_len
from textual.app import App
from textual.css.query import NoMatches
from textual.errors import NoWidget
from textual.geometry import Region
from textual.screen import ModalScreen, Screen
from textual.widget import Widget
from textual.widgets import Footer, Static, Tooltip
from textual.widgets._footer import FooterKey  # not exported by textual.widgets: the footer's keys
from textual.widgets._toast import Toast, ToastRack  # not exported: a toast's region is all we read

from circle.core.wall_text import wall_text
from circle.tui.widgets.big_clock import BigClock, pixels
from circle.tui.widgets.groups_grid import GroupsGrid
from tools.shown import screen_lines

Check = Callable[[App], list[str]]


def describe(widget: Widget) -> str:
    """A widget as a failure names it: its type, and its id or classes when it has them."""
    name = type(widget).__name__
    if widget.id:
        return f"{name}#{widget.id}"
    if widget.classes:
        return name + "".join(f".{c}" for c in sorted(widget.classes))
    return name


def shown_region(widget: Widget) -> Region:
    """The part of ``widget`` drawn on its screen (clipped by its containers); empty if not drawn."""
    if not widget.display or not widget.visible:
        return Region()
    try:
        return widget.screen.find_widget(widget).visible_region
    except (NoWidget, NoMatches):
        return Region()


def _ancestry_shown(widget: Widget) -> bool:
    node = widget
    while isinstance(node, Widget) and not isinstance(node, Screen):
        if not node.display or not node.visible:
            return False
        node = node.parent
    return True


def _drawn(screen: Screen) -> Iterator[Widget]:
    """The widgets of ``screen`` it draws, toasts and tooltips aside (check 2 handles toasts)."""
    for widget in screen.walk_children(with_self=False):
        if isinstance(widget, ToastRack | Toast | Tooltip) or any(
            isinstance(a, ToastRack | Tooltip) for a in widget.ancestors
        ):
            continue
        if _ancestry_shown(widget) and shown_region(widget):
            yield widget


def footer_cut(app: App) -> list[str]:
    """Every key the Footer shows has its whole label on screen."""
    problems = []
    for footer in app.screen.query(Footer):
        if not shown_region(footer):
            continue
        for key in footer.query(FooterKey):
            if not key.display:
                continue
            label = key.description or key.key_display
            try:
                geometry = app.screen.find_widget(key)
            except NoWidget:
                problems.append(f"footer: {label!r} not on screen")
                continue
            needed = cell_len(key.render().plain)
            shown = geometry.visible_region.intersection(app.screen.region).width
            if shown < needed:
                problems.append(f"footer: {label!r} cut ({shown} of {needed} cells)")
    return problems


def _covers(screen: Screen) -> Iterator[tuple[str, Region]]:
    """What lies over the screens below ``screen``: its toasts, and the boxes of a dialog."""
    for toast in screen.query(Toast):
        if region := shown_region(toast):
            yield f"toast {str(toast.visual.plain if hasattr(toast.visual, 'plain') else '')[:30]!r}", region
    if isinstance(screen, ModalScreen):
        # A dialog's screen is transparent around its boxes: its top children are what covers.
        for child in screen.children:
            if not isinstance(child, ToastRack | Tooltip) and (region := shown_region(child)):
                yield f"dialog {type(screen).__name__} ({describe(child)})", region


def _timer_runs(screen: Screen) -> bool:
    """Whether the screen's turn timer runs; a clock on a screen without a session always counts."""
    state = getattr(getattr(screen, "session", None), "state", None)
    return bool(getattr(state, "running", True))


def _carries(app: App, cover: Region, time: str) -> bool:
    """Whether a dialog over the digits shows their time itself, in words (the follow code does,
    while people scan it during a turn)."""
    lines = screen_lines(app)
    return any(time in line[cover.x : cover.right] for line in lines[cover.y : cover.bottom])


def countdown_covered(app: App) -> list[str]:
    """A visible BigClock lies whole on the screen, its digits fit it, and while its timer runs nothing
    lies over it (a dialog over a stopped clock is the facilitator at work) unless it shows the time."""
    problems = []
    stack = app.screen_stack
    for depth, screen in enumerate(stack):
        runs = _timer_runs(screen)
        for clock in screen.query(BigClock):
            if not _ancestry_shown(clock):
                continue
            try:
                geometry = screen.find_widget(clock)
            except NoWidget:
                continue
            region = geometry.region
            if not region:
                continue
            where = f"countdown {clock.text!r}"
            if geometry.visible_region != region or not screen.region.contains_region(region):
                problems.append(f"countdown: {where} partly off screen at {region}")
            width = len(pixels(clock.text)[0])
            if region.width < width or region.height < 3:  # five pixel rows take three cells
                problems.append(f"countdown: {where} needs {width}x3 cells, has {region.width}x{region.height}")
            for above in stack[depth:] if runs else ():
                for what, cover in _covers(above):
                    if cover.overlaps(region) and not _carries(app, cover, clock.text):
                        problems.append(f"countdown: {what} covers {where}")
    return problems


def overlaps(app: App) -> list[str]:
    """No two drawn leaf widgets of the screen share a cell."""
    screen = app.screen
    drawn = list(_drawn(screen))
    drawn_set = set(drawn)
    leaves = [w for w in drawn if not any(c in drawn_set for c in w.children)]
    problems = []
    for i, first in enumerate(leaves):
        a = shown_region(first)
        for second in leaves[i + 1 :]:
            b = shown_region(second)
            if a.overlaps(b):
                shared = a.intersection(b)
                problems.append(f"overlap: {describe(first)} and {describe(second)} share {shared}")
    return problems


def _source_text(widget: Static) -> str | None:
    plain = getattr(widget.visual, "plain", None)  # Content has it; a Rich renderable does not
    return plain if isinstance(plain, str) else None


def cut_text(app: App) -> list[str]:
    """No Label/Static is ellipsised, nor has a line wider than it (if it does not wrap), nor more
    lines than it shows (if it does not scroll)."""
    screen = app.screen
    lines = screen_lines(app)
    problems = []
    for widget in _drawn(screen):
        if not isinstance(widget, Static):
            continue
        text = _source_text(widget)
        if text is None:
            continue
        content = widget.content_region
        width = content.width
        name = describe(widget)
        # A wrapping widget folds a word wider than itself onto the next line, all of it shown
        # (the height check below sees if lines run out); one that does not wrap loses the rest.
        if widget.styles.text_wrap == "nowrap":
            for line in text.splitlines():
                if cell_len(line) > width:
                    problems.append(f"cut: {name} line {line[:40]!r} wider ({cell_len(line)}) than {width}")
                    break
        if widget.styles.overflow_y not in ("auto", "scroll") and content.height > 0:
            needed = widget.get_content_height(screen.size, screen.size, width)
            if needed > content.height:
                problems.append(f"cut: {name} needs {needed} lines, shows {content.height}")
        drawn = shown_region(widget).intersection(content)
        for y in range(drawn.y, drawn.bottom):
            row = lines[y][drawn.x : drawn.right].rstrip()
            # An ellipsis the text itself holds is meant; one the renderer put in hides the rest.
            if row.endswith("…") and row.strip() not in text:
                problems.append(f"cut: {name} ellipsised {row.strip()[:40]!r}")
                break
    return problems


def breakouts_missing(app: App) -> list[str]:
    """Every person of the breakout round under way is named somewhere on the wall."""
    shown = "\n".join(screen_lines(app))
    problems = []
    for screen in app.screen_stack:
        session = getattr(screen, "session", None)
        state = getattr(session, "state", None)
        if state is None or not hasattr(state, "breakout_groups"):
            continue
        for group in state.breakout_groups():
            for person in group:
                name = wall_text(state.name(person))  # as the wall draws it: emoji in plain form
                if name not in shown:
                    problems.append(f"breakout: {name!r} not on screen")
    return problems


CHECKS: dict[str, Check] = {
    "footer": footer_cut,
    "countdown": countdown_covered,
    "overlap": overlaps,
    "cut": cut_text,
    "breakout": breakouts_missing,
}


def problems(app: App) -> list[str]:
    """What every check finds on the app as it stands."""
    return [problem for check in CHECKS.values() for problem in check(app)]


async def problems_on_every_page(app: App, settle: Callable[[], Awaitable[object]]) -> list[str]:
    """What every check finds on each page of a breakout that pages its groups (they turn on their
    own): a person is missing only when no page names them; any other fault counts on any page."""
    found = problems(app)
    grids = [grid for grid in app.screen.query(GroupsGrid) if len(grid.plan.pages) > 1]
    if not grids:
        return found
    missing = {p for p in found if p.startswith("breakout:")}
    others = [p for p in found if not p.startswith("breakout:")]
    for grid in grids:
        for _ in range(len(grid.plan.pages) - 1):
            grid.turn_page()
            await settle()
            now = problems(app)
            missing &= {p for p in now if p.startswith("breakout:")}
            others += [p for p in now if not p.startswith("breakout:") and p not in others]
    return others + sorted(missing)
