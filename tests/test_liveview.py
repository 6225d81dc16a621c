"""The words and numbers the wall shows, straight from engine state."""

from circle.core.clock import FakeClock
from circle.core.resources import bundled_dir
from circle.engine import Person, Session
from circle.protocol.loader import load_library
from circle.views.live import live_view

PEOPLE = [Person("a", "Ana"), Person("b", "Ben"), Person("c", "Caro")]


def session(protocol_id: str, clock: FakeClock) -> Session:
    protocol = load_library(dirs=[bundled_dir("protocols")]).get(protocol_id)
    return Session.create(protocol, PEOPLE, clock)


def test_round_shows_speaker_next_roster_and_time():
    clock = FakeClock()
    s = session("feelz-reflect", clock)
    s.start()
    clock.advance(10.2)
    view = live_view(s.state, clock.now())
    assert view.step_line == "Step 1 of 3 · Share"
    assert (view.speaker, view.next_line) == ("Ana", "next: Ben")
    assert view.seconds == 170  # 2:49.8 left shows as 2:50
    assert view.roster == [("Ana", "now"), ("Ben", "todo"), ("Caro", "todo")]
    assert view.phase == "running"


def test_last_turn_announces_the_next_step_and_the_end():
    clock = FakeClock()
    s = session("feelz-appreciation", clock)
    s.next()
    s.next()
    assert live_view(s.state, clock.now()).next_line == "next: Anything unsaid (next step)"
    s.next()
    view = live_view(s.state, clock.now())
    assert (view.speaker, view.caption, view.next_line) == ("Everyone", "open to everyone", "next: the end")
    s.next()
    view = live_view(s.state, clock.now())
    assert view.phase == "finished" and "press e" in view.message.lower()


def test_overtime_counts_up():
    clock = FakeClock()
    s = session("feelz-appreciation", clock)
    s.start()
    clock.advance(60 + 12.7)
    view = live_view(s.state, clock.now())
    assert (view.phase, view.seconds) == ("overtime", 12)


def test_silence_has_no_speaker_caption():
    clock = FakeClock()
    s = session("feelz-checkin", clock)
    view = live_view(s.state, clock.now())
    assert (view.speaker, view.caption, view.phase) == ("Silence", "", "ready")
