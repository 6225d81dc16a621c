"""Saved groups: crews, congregations and communities, with members who come and go."""

from __future__ import annotations

from datetime import datetime, tzinfo

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from circle.core.wall_text import wall_text
from circle.engine import RosterError, check_roster
from circle.games.groups import GROUP_KINDS, kind_for, size_warning
from circle.store import Store, StoreError
from circle.tui.screens.dialogs import AskText, PickOne
from circle.tui.widgets.keys_footer import KeysFooter


class GroupsScreen(Screen[None]):
    CSS_PATH = "groups.tcss"
    BINDINGS = [
        Binding("n", "new", "New group", id="new-group"),
        Binding("r", "rename", "Rename", id="rename"),
        Binding("a", "add", "Add people", id="add-members"),
        Binding("d", "remove", "Remove someone", id="remove-member"),
        Binding("h,escape", "app.go_home", "Home", id="home"),
    ]

    def __init__(self, store: Store, tz: tzinfo | None = None):
        super().__init__()
        self.store = store
        self.tz = tz

    def compose(self) -> ComposeResult:
        yield Static("[b]Groups[/b]  crews, congregations and communities", id="groups-title")
        with Horizontal(id="groups-body"):
            with Vertical(id="groups-pane"):
                yield Label("Saved groups", classes="pane-title")
                yield OptionList(id="groups")
            with Vertical(id="members-pane"):
                yield Label("Members", classes="pane-title", id="members-title")
                yield Static(id="members")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.reload()

    def reload(self, keep: str | None = None) -> None:
        groups = self.store.groups()
        listing = self.query_one("#groups", OptionList)
        listing.clear_options()
        for g in groups:
            warning = size_warning(g["kind"], g["members"])
            text = Content.assemble(
                wall_text(g["name"]), (f"  {g['kind']}, {g['members']}", "dim"), (" !" if warning else "", "$warning")
            )
            listing.add_option(Option(text, id=g["name"]))
        if not groups:
            listing.add_option(Option("no groups yet: press n", disabled=True))
        names = [g["name"] for g in groups]
        if names:
            listing.highlighted = names.index(keep) if keep in names else 0
        self.show_members()

    @property
    def selected(self) -> str | None:
        listing = self.query_one("#groups", OptionList)
        option = listing.highlighted_option
        return option.id if option is not None else None

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self.show_members()

    def show_members(self) -> None:
        name = self.selected
        body = self.query_one("#members", Static)
        if name is None:
            body.update("")
            return
        group = self.store.group(name)
        members = self.store.group_members(name)
        warning = size_warning(group["kind"], len(members))
        lines = [wall_text(p.name) for p in members] or ["no members yet: press a"]
        if warning:
            lines += ["", f"note: {warning}"]
        self.query_one("#members-title", Label).update(Content(f"{wall_text(group['name'])} ({group['kind']})"))
        body.update(Content("\n".join(lines)))

    # -- commands -------------------------------------------------------------------
    def _attempt(self, change, keep: str | None = None) -> None:
        try:
            change()
        except (StoreError, RosterError) as exc:
            self.notify(str(exc), severity="error")
            return
        self.reload(keep)

    def action_new(self) -> None:
        def named(name: str | None) -> None:
            if name and name.strip():
                self.app.push_screen(AskText("Who is in it?", "names, comma separated"), lambda m: members(name, m))

        def members(name: str, text: str | None) -> None:
            if text is None:
                return
            names = check_roster(text.split(",")) if text.strip() else []
            kinds = [kind_for(len(names)), *(k for k in GROUP_KINDS if k != kind_for(len(names)))]
            self.app.push_screen(  # the kind their number suggests comes first: two are a partnership
                PickOne("What kind of group?", [(k, k) for k in kinds]), lambda k: kind(name, names, k)
            )

        def kind(name: str, names: list[str], chosen: str | None) -> None:
            if not chosen:
                return
            self._attempt(lambda: self.store.create_group(name, self.store.people_named(names), chosen), name.strip())
            warning = size_warning(chosen, len(names))
            if warning:
                self.notify(warning, severity="warning")

        self.app.push_screen(AskText("Name of the new group", "e.g. Tuesday crew"), named)

    def action_rename(self) -> None:
        old = self.selected
        if old is None:
            return

        def renamed(new: str | None) -> None:
            if new and new.strip():
                self._attempt(lambda: self.store.rename_group(old, new), " ".join(new.split()))

        self.app.push_screen(AskText(f"New name for {old}", old), renamed)

    def action_add(self) -> None:
        name = self.selected
        if name is None:
            return

        def added(text: str | None) -> None:
            if text and text.strip():
                self._attempt(
                    lambda: self.store.add_members(name, self.store.people_named(check_roster(text.split(",")))), name
                )

        self.app.push_screen(AskText(f"Who joins {name}?", "names, comma separated"), added)

    def action_remove(self) -> None:
        name = self.selected
        if name is None:
            return
        members = self.store.group_members(name)
        when = datetime.now(self.tz).strftime("%d %b %Y")

        def removed(person: str | None) -> None:
            if person:
                self._attempt(lambda: self.store.remove_members(name, [person]), name)

        choices = [(p.name, p.name) for p in members]
        self.app.push_screen(PickOne(f"Who leaves {name}? (from {when}; their history stays)", choices), removed)
