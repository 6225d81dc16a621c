"""A protocol being edited: its YAML document changed field by field, comments and key order kept.

The editor screen works on a :class:`ProtocolDraft`: it reads the header and the steps as plain
values, changes them as people type them (a duration stays as written: ``2m`` is ``2m`` in the
file), asks for the problems the loader would report, by field, and saves the file atomically.
A draft is also kept in the user folder after every change, so a crash loses nothing.
"""

from __future__ import annotations

import io
import re
import warnings
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

from circle.core.durations import parse_duration
from circle.core.errors import CircleError, one_line
from circle.core.files import write_text
from circle.core.resources import bundled_dir, user_dir, user_protocols_dir
from circle.protocol import fields
from circle.protocol.loader import LoadError, read_text, read_yaml, validate_document
from circle.protocol.models import STEP_KINDS, GroupSize, Protocol, Step, planned_step_seconds
from circle.protocol.schema import SCHEMA_NAME, ensure_user_protocols_dir

SCHEMA_LINE = f"# yaml-language-server: $schema={SCHEMA_NAME}"
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*$")
DRAFTS = "drafts"

TEMPLATE = f"""{SCHEMA_LINE}
id: new
title: New
summary: What this circle is for, in a sentence.
group_size: {{min: 2, max: 12}}
steps:
  - kind: round
    title: Check-in
    turn: 2m
    prompt: How are you arriving?
  - kind: open
    title: Open floor
    duration: 10m
"""


class EditError(CircleError):
    """An edit that cannot be made (a step that is not there, a field a step does not have)."""


@dataclass(frozen=True)
class FieldProblem:
    where: str  # "title", "group_size.min", "steps.2.turn", "steps.2" (a whole step), "" (the file)
    message: str  # the loader's own message, without its path:line:col


@cache
def _step_adapter() -> TypeAdapter[Step]:
    return TypeAdapter(Step)


def _dumper() -> Any:
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.indent(mapping=2, sequence=4, offset=2)  # as the bundled files are written
    yaml.width = 4096  # never fold a prompt that was written on one line
    yaml.preserve_quotes = True
    return yaml


def _check_id(protocol_id: str) -> str:
    if not ID_PATTERN.match(protocol_id):
        raise EditError(f"id {protocol_id!r}: use lowercase letters, digits and dashes, like feelz-checkin")
    return protocol_id


def _under(path: Path, folder: Path) -> bool:
    try:
        return path.resolve().is_relative_to(folder.resolve())
    except OSError:
        return False


def _on_disk(path: Path | None) -> tuple[int, int, str] | None:
    """What a file is now (mtime, size, text), or None when it is not there or cannot be read."""
    if path is None:
        return None
    try:
        stat = path.stat()
        return stat.st_mtime_ns, stat.st_size, path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


class ProtocolDraft:
    """A protocol being edited: its YAML document (ruamel round-trip, comments and key order kept)."""

    def __init__(self, doc: Any, path: Path | None, origin: Path | None, saved: bool):
        if not isinstance(doc, dict):
            raise EditError("a protocol file holds a mapping of keys (id, title, steps)")
        self._doc = doc
        self.path = path
        self.origin = origin
        self._disk = _on_disk(path) if saved else None
        self._saved_text = self.text() if saved else None
        self._draft_file: Path | None = None

    # -- opening

    @classmethod
    def open(cls, path: Path) -> ProtocolDraft:
        """A file as it is (one that does not validate opens too: see problems()). A draft left in
        the user folder opens to be saved as the user's protocol of its id, not over the draft."""
        path = Path(path)
        text = read_text(path, str(path))
        doc = read_yaml(text, str(path), keep_quotes=True)
        if not isinstance(doc, dict):
            validate_document(Protocol, doc, str(path), text)  # raises the loader's own message
        if _under(path, user_dir() / DRAFTS):
            protocol_id = str(doc.get("id", "")) if ID_PATTERN.match(str(doc.get("id", ""))) else path.stem
            draft = cls(doc, user_protocols_dir() / f"{protocol_id}.yaml", None, saved=False)
            draft._disk = _on_disk(draft.path)
            draft._draft_file = path
            return draft
        return cls(doc, path, path, saved=True)

    @classmethod
    def copy_of(cls, path: Path, new_id: str) -> ProtocolDraft:
        """A copy into the user's folder: the same document with a new id; a new id also gets a
        title saying it is a copy (the same id makes the user's version, which takes its place)."""
        source = cls.open(path)
        old_id = source._doc.get("id")
        source._doc["id"] = _check_id(new_id)
        title = source._doc.get("title")
        if new_id != old_id and isinstance(title, str):
            source._doc["title"] = fields.like(title, f"{title} (copy)")
        draft = cls(source._doc, user_protocols_dir() / f"{new_id}.yaml", Path(path), saved=False)
        draft._disk = None  # a file already there is someone else's: changed_on_disk() says so
        return draft

    @classmethod
    def new(cls, protocol_id: str, folder: Path | None = None) -> ProtocolDraft:
        """A small protocol to start from: a round and an open step."""
        doc = read_yaml(TEMPLATE, "template", keep_quotes=True)
        doc["id"] = _check_id(protocol_id)
        doc["title"] = protocol_id.replace("-", " ").capitalize()
        return cls(doc, (folder or user_protocols_dir()) / f"{protocol_id}.yaml", None, saved=False)

    # -- reading

    def header(self) -> dict[str, object]:
        return {str(k): fields.plain(v) for k, v in self._doc.items() if k != "steps"}

    def steps(self) -> list[dict[str, object]]:
        return [fields.plain(s) if isinstance(s, dict) else {} for s in self._step_list(create=False)]

    def text(self) -> str:
        out = io.StringIO()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            _dumper().dump(self._doc, out)
        text = out.getvalue()
        if not text.startswith("# yaml-language-server:"):
            text = f"{SCHEMA_LINE}\n{text}"
        return text

    def problems(self) -> list[FieldProblem]:
        """What the loader would report for the file as it would be saved, each at its field."""
        text, label = self.text(), str(self.path or "protocol")
        places: dict[tuple[int, int], list[tuple[str, bool]]] = {}
        try:
            doc = read_yaml(text, label)
            places = fields.field_positions(doc)
            validate_document(Protocol, doc, label, text)
        except LoadError as exc:
            return [FieldProblem(fields.where_of(p, places), one_line(p.message)) for p in exc.problems]
        return []

    def protocol(self) -> Protocol | None:
        text = self.text()
        try:
            return validate_document(Protocol, read_yaml(text, "protocol"), "protocol", text)
        except LoadError:
            return None

    def _valid_steps(self) -> list[Step]:
        valid = []
        for step in self.steps():
            try:
                valid.append(_step_adapter().validate_python(step))
            except ValidationError:
                continue
        return valid

    def total_seconds(self, people: int = 8) -> int:
        """The planned length for ``people``, of the steps that validate."""
        return sum(planned_step_seconds(step, people) for step in self._valid_steps())

    def day_fit(self) -> list[tuple[str, int, int]]:
        """Per day of an agenda with a length (or days): its title, the least its blocks need
        (fixed ones whole, others at their minimums) and the time it has. The loader's own
        reckoning (Protocol.days, Protocol.least_seconds), of the steps that validate."""
        header = self.header()
        try:
            size = GroupSize.model_validate(header.get("group_size", {}))
        except ValidationError:
            size = GroupSize()
        length = header.get("length")
        try:
            seconds = parse_duration(length) if length is not None else None
        except ValueError:
            seconds = None
        shape = Protocol.model_construct(steps=self._valid_steps(), length=seconds, group_size=size)
        days = shape.days
        if not days[0].opened and seconds is None:
            return []
        return [(day.title, shape.least_seconds(day), day.length) for day in days]

    # -- changing

    def _step_list(self, create: bool = True) -> Any:
        steps = self._doc.get("steps")
        if isinstance(steps, list):
            return steps
        if not create:
            return []
        from ruamel.yaml.comments import CommentedSeq

        self._doc["steps"] = CommentedSeq()
        return self._doc["steps"]

    def _step(self, index: int) -> Any:
        steps = self._step_list(create=False)
        if not 0 <= index < len(steps):
            have = f"{len(steps)} steps (0-{len(steps) - 1})" if steps else "no steps"
            raise EditError(f"no step {index}; the protocol has {have}")
        if not isinstance(steps[index], dict):
            raise EditError(f"step {index} is not a mapping of keys; edit the file itself")
        return steps[index]

    def set_field(self, where: str, text: str) -> None:
        parts = where.split(".")
        if parts[0] == "steps":
            if len(parts) < 3 or not parts[1].isdigit():
                raise EditError(f"no field {where!r}; name a step's field, like steps.0.title")
            step = self._step(int(parts[1]))
            name = ".".join(parts[2:])
            if name == "kind":
                self.set_kind(int(parts[1]), text.strip())
                return
            kind = step.get("kind")
            known = fields.STEP_FIELDS.get(kind) if isinstance(kind, str) else None
            if name not in (known or fields.ANY_STEP_FIELDS):
                what = f"a {kind} step" if known else "a step"
                names = ", ".join(known or fields.ANY_STEP_FIELDS)
                raise EditError(f"no field {name!r} for {what}; known: {names}")
            value_kind, required = (known or fields.ANY_STEP_FIELDS)[name]
            fields.set_value(step, name.split("."), value_kind, required, text, before=None)
            return
        if where not in fields.HEADER_FIELDS:
            raise EditError(f"no field {where!r} in a protocol; known: {', '.join(fields.HEADER_FIELDS)}, steps.N.*")
        value_kind, required = fields.HEADER_FIELDS[where]
        fields.set_value(self._doc, parts, value_kind, required, text, before="steps")
        if where == "id":
            self._follow_id()

    def _follow_id(self) -> None:
        """A file not yet saved is named by its id: a new id, a new name."""
        protocol_id = str(self._doc.get("id", ""))
        if self.path is not None and self.path != self.origin and self._disk is None and ID_PATTERN.match(protocol_id):
            self.path = self.path.with_name(f"{protocol_id}.yaml")

    def add_step(self, kind: str, at: int | None = None) -> int:
        from ruamel.yaml.comments import CommentedMap

        step = CommentedMap(kind=_known_kind(kind), title=f"New {kind.replace('_', ' ')}")
        fields.fill(step, kind)
        steps = self._step_list()
        index = len(steps) if at is None else at
        if not 0 <= index <= len(steps):
            raise EditError(f"cannot add a step at {index}; the protocol has {len(steps)} steps")
        steps.insert(index, step)
        return index

    def remove_step(self, index: int) -> None:
        """Remove a step; the comment lines after it stay, after the step before it."""
        step, steps = self._step(index), self._step_list()
        lines = fields.trailing_lines(step, list(step)[-1]) if step else ""
        del steps[index]
        before = steps[index - 1] if index > 0 else None
        if lines and isinstance(before, dict) and before and hasattr(before, "ca"):
            fields.add_trailing_lines(before, list(before)[-1], lines)

    def duplicate_step(self, index: int) -> int:
        import copy

        steps = self._step_list()
        steps.insert(index + 1, copy.deepcopy(self._step(index)))
        return index + 1

    def move_step(self, index: int, by: int) -> int:
        """Move a step ``by`` places (negative: earlier), stopping at either end; its new index."""
        step = self._step(index)
        steps = self._step_list()
        target = max(0, min(len(steps) - 1, index + by))
        if target != index:
            comment = steps.ca.items.get(index)
            del steps[index]
            steps.insert(target, step)
            if comment is not None:
                steps.ca.items[target] = comment
        return target

    def set_kind(self, index: int, kind: str) -> None:
        """Another kind for a step: the keys it shares with the old kind are kept, the others
        dropped, and what the new kind needs is added (a turn, a duration)."""
        step = self._step(index)
        keep = {name.split(".")[0] for name in fields.STEP_FIELDS[_known_kind(kind)]}
        for key in [k for k in step if k not in keep]:
            fields.delete_key(step, key)
        step["kind"] = kind
        fields.fill(step, kind)

    @property
    def dirty(self) -> bool:
        return self.text() != self._saved_text

    # -- saving

    def changed_on_disk(self) -> bool:
        """Whether the file at ``path`` is not what it was when opened or last saved (a file that
        appeared where a new draft will be saved counts)."""
        if self.path is None:
            return False
        try:
            stat = self.path.stat()
        except OSError:
            return self._disk is not None
        if self._disk is None:
            return True
        if (stat.st_mtime_ns, stat.st_size) == self._disk[:2]:
            return False
        now = _on_disk(self.path)
        return now is None or now[2] != self._disk[2]

    def save(self, path: Path | None = None) -> Path:
        target = Path(path) if path is not None else self.path
        if target is None:
            raise EditError("choose where to save the protocol first")
        if _under(target, bundled_dir("protocols")):
            raise EditError(f"{target} is one of circle's own protocols; save a copy in {user_protocols_dir()}")
        if _under(target, user_protocols_dir()):
            ensure_user_protocols_dir()
        text = self.text()
        try:
            write_text(target, text)
        except OSError as exc:
            raise EditError(f"cannot save {target}: {exc.strerror or exc}; nothing was written") from None
        self.path, self._saved_text, self._disk = target, text, _on_disk(target)
        return target

    # -- drafts that survive a crash

    def keep_draft(self) -> Path:
        protocol_id = str(self._doc.get("id", ""))
        name = protocol_id if ID_PATTERN.match(protocol_id) else (self.path.stem if self.path else "untitled")
        target = user_dir() / DRAFTS / f"{name}.yaml"
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            write_text(target, self.text())
        except OSError as exc:
            raise EditError(f"cannot keep a draft in {target.parent}: {exc.strerror or exc}") from None
        if self._draft_file is not None and self._draft_file != target:
            self._draft_file.unlink(missing_ok=True)
        self._draft_file = target
        return target

    def drop_draft(self) -> None:
        if self._draft_file is not None:
            try:
                self._draft_file.unlink(missing_ok=True)
            except OSError as exc:
                raise EditError(f"cannot remove the draft {self._draft_file}: {exc.strerror or exc}") from None
            self._draft_file = None

    @staticmethod
    def drafts() -> list[Path]:
        try:
            return sorted(p for p in (user_dir() / DRAFTS).glob("*.yaml") if p.is_file())
        except OSError:
            return []


def _known_kind(kind: str) -> str:
    if kind not in STEP_KINDS:
        raise EditError(f"no step kind {kind!r}; one of: {', '.join(STEP_KINDS)}")
    return kind
