"""The session engine: commands become events, and state is a fold over events.

Pure: no Textual, no SQLite, no wall clock. Time comes from an injected
:class:`~circle.core.clock.Clock`. A turn's time is the sum of its closed running
segments plus the open one (``now - running_since``), so pausing stops the clock
and nothing depends on counting ticks.

- :mod:`.state`: the state (:class:`State`, its steps and turns) and what it says about now;
- :mod:`.fold`: events applied to state (:func:`apply`, :func:`fold`);
- :mod:`.session`: :class:`Session`, whose commands decide the events: the turn flow there,
  on :mod:`.base` (emitting), :mod:`.breakouts`, :mod:`.reciprocity` and :mod:`.queue`;
- :mod:`.roster`: who can form a session; :mod:`.agenda`: a long session against its plan.
"""

from circle.core.events import Event, Person
from circle.engine.base import CommandRejected, Sink
from circle.engine.breakouts import pair_up
from circle.engine.fold import ENGINE_KINDS, RECORD_KINDS, ReplayError, apply, fold, live_records
from circle.engine.roster import RosterError, check_roster, size_warning
from circle.engine.session import ADJUST_STEP, Session
from circle.engine.state import (
    Coming,
    Hand,
    HandQueue,
    Note,
    Phase,
    QueueTurn,
    Replan,
    Slot,
    SlotStatus,
    Source,
    State,
    StepRun,
    again_label,
    countdown_seconds,
    met_in,
    returns_due,
)

# The step models, as importers of the engine have long found them here.
from circle.protocol.models import GroupsStep, PairsStep, RoundStep

__all__ = [
    "ADJUST_STEP",
    "ENGINE_KINDS",
    "RECORD_KINDS",
    "Coming",
    "CommandRejected",
    "Hand",
    "HandQueue",
    "Event",
    "GroupsStep",
    "Note",
    "PairsStep",
    "Person",
    "Phase",
    "QueueTurn",
    "Replan",
    "ReplayError",
    "RosterError",
    "RoundStep",
    "Session",
    "Sink",
    "Slot",
    "SlotStatus",
    "Source",
    "State",
    "StepRun",
    "again_label",
    "apply",
    "check_roster",
    "countdown_seconds",
    "fold",
    "live_records",
    "met_in",
    "pair_up",
    "returns_due",
    "size_warning",
]
