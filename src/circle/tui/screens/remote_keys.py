"""The facilitator's phone as a remote for the wall: each command is the screen's own action, as
its key is (circle.follow.server serves the page; circle.tui.screens.remote shows its code)."""

from __future__ import annotations

import asyncio

from circle.engine import Session
from circle.tui.following import Following
from circle.tui.host import ShowSummary
from circle.tui.screens.dialogs import ConfirmDialog

# What the facilitator's remote may ask for, and the screen's action that does it (as its key
# does): one line per command. The note's text is given to the actions in TEXT_COMMANDS.
REMOTE_COMMANDS: dict[str, str] = {
    "toggle": "toggle",
    "next": "next",
    "pass": "pass_turn",
    "back": "back",
    "more": "adjust(30)",
    "less": "adjust(-30)",
    "note": "remote_note",
    "end": "remote_end",
}
TEXT_COMMANDS = {"note"}


class RemoteKeys:
    """The remote's commands, for the live screen (which gives the attributes below)."""

    session: Session
    following: Following
    _draft: str
    _said: str | None

    def _do(self, command, *args) -> bool: ...  # the live screen's

    def _note(self, text: str) -> bool: ...  # the live screen's

    def now(self) -> float: ...  # the live screen's

    def clock_line(self) -> str: ...  # the live screen's

    def action_remote(self) -> None:
        """The facilitator's phone as a remote: its code only once the wall is known to be private."""
        from circle.tui.screens.remote import PRIVACY_DETAIL, PRIVACY_QUESTION, RemoteDialog

        async def answered(yes: bool | None) -> None:
            if not yes:
                return
            if await self.following.start(self.session.state.session_id) is None:
                return
            self.following.update(self.session)
            url = self.following.remote_url
            if url is not None:
                self.app.push_screen(RemoteDialog(url, self.following.revoke_remote, self.clock_line))

        self.app.push_screen(ConfirmDialog(PRIVACY_QUESTION, PRIVACY_DETAIL, docked=True), answered)

    async def remote_command(self, command: str, text: str) -> dict:
        """A command from the facilitator's remote, run on this screen's own turn (as a key is);
        answered with the state after it, once it is saved, or CommandRefused."""
        done: asyncio.Future[dict] = asyncio.get_running_loop().create_future()

        def run() -> None:
            try:
                result = self._remote(command, text)
            except Exception as exc:  # noqa: BLE001 - a refusal, or a fault: answered either way
                if not done.done():
                    done.set_exception(exc)
            else:
                if not done.done():
                    done.set_result(result)

        self.call_next(run)
        from circle.follow.server import CommandRefused

        try:
            return await asyncio.wait_for(done, 10)
        except TimeoutError:
            raise CommandRefused(503, "the wall did not answer in time; look at it") from None
        except CommandRefused:
            raise
        except Exception as exc:  # noqa: BLE001 - never a traceback for the phone
            raise CommandRefused(500, f"the wall could not do it: {exc}") from None

    def _remote(self, command: str, text: str) -> dict:
        from textual.actions import parse

        from circle.follow.server import CommandRefused
        from circle.views.follow import follow_state

        action = REMOTE_COMMANDS.get(command)
        if action is None:
            raise CommandRefused(400, f"unknown command {command[:40]!r}; known: {', '.join(REMOTE_COMMANDS)}")
        if self.app.screen is not self and not self._only_showing_codes():
            raise CommandRefused(409, "a dialog is open on the wall: answer it there first")
        _, name, params = parse(action)
        if command in TEXT_COMMANDS:
            params = (*params, text)
        if self.check_action(name, params) is False or self.session.state.ended:
            raise CommandRefused(409, f"{command} cannot be done on the wall now")
        self._said = None
        count = self.session.state.event_count
        getattr(self, f"action_{name}")(*params)
        if self.session.state.event_count == count:  # refused (said on the wall too), or nothing to do
            raise CommandRefused(409, self._said or f"{command} was not done")
        return follow_state(self.session.state, self.now())

    def _only_showing_codes(self) -> bool:
        """Whether all that covers the wall is a code (to follow, or this remote's): no question open."""
        from circle.tui.screens.follow import FollowDialog

        stack = self.app.screen_stack
        return self in stack and all(isinstance(s, FollowDialog) for s in stack[stack.index(self) + 1 :])

    def action_remote_note(self, text: str) -> None:
        from circle.follow.server import CommandRefused

        if not text.strip():
            raise CommandRefused(400, "the note is empty")
        if not self._note(text) and self._said is None:
            raise CommandRefused(409, "the note was not saved")

    def action_remote_end(self) -> None:
        """End from the remote (its page asked to confirm): as e then y, but a draft note is the wall's to settle."""
        from circle.follow.server import CommandRefused

        if self._draft:
            raise CommandRefused(409, "finish or clear the draft note on the wall first")
        if self._do(self.session.end):
            self.following.update(self.session)  # phones see that it has ended

            async def finish() -> None:  # once the remote has its answer
                await self.following.stop()
                self.post_message(ShowSummary(self.session))

            self.call_later(finish)
