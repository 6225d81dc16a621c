"""Load protocol YAML files and report every problem as ``path:line:col: message``.

ruamel.yaml keeps the position of every key, so a pydantic error location such
as ``steps.2.turn`` is turned back into the line and column of that key.
"""

from __future__ import annotations

import difflib
import functools
import stat
import statistics
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from circle.core.errors import CircleError, one_line, shown
from circle.core.resources import bundled_dir, user_protocols_dir
from circle.protocol import cache as parse_cache
from circle.protocol.models import STEP_KINDS, STEP_MODELS, Protocol
from circle.protocol.schema import ensure_user_protocols_dir

M = TypeVar("M", bound=BaseModel)

MAX_BYTES = 256 * 1024  # the largest bundled file is under 3 KiB; ruamel.yaml reads about 200 KiB a second
MAX_DEPTH = 50  # a protocol nests four levels deep
MAX_VALUES = 250_000  # more than a file of MAX_BYTES can hold without aliases ("billion laughs")


@dataclass(frozen=True)
class Problem:
    path: str
    line: int
    col: int
    message: str

    def __str__(self) -> str:
        return one_line(f"{self.path}:{self.line}:{self.col}: {self.message}")


class UnknownProtocol(CircleError):
    """An id that names no protocol the library holds; the message suggests the closest ids."""


class LoadError(CircleError):
    """One or more problems in a file; ``str()`` gives one line per problem."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def read_yaml(text: str, label: str, *, keep_quotes: bool = False) -> Any:
    """Parse YAML keeping positions; syntax errors become a located LoadError. ``keep_quotes``
    keeps how each string was quoted, for a document that is written back (the editor's)."""
    # Imported here: a start that finds every file in the parse cache never needs it.
    from ruamel.yaml.error import MarkedYAMLError, YAMLError
    from ruamel.yaml.reader import ReaderError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a reused anchor name is fine; ruamel would print a warning
            yaml = _yaml()
            yaml.preserve_quotes = keep_quotes
            return yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = (exc.problem or exc.context or "invalid YAML").strip()
        if "found duplicate key" in str(exc):
            problem = "duplicate key" + _after(str(exc), "found duplicate key")
        opened = _never_closed(exc)
        if opened is not None:  # a quote or bracket left open: where it opened, not where the file gave out
            line, col, problem = opened
        raise LoadError([Problem(label, line, col, f"YAML syntax: {problem}")]) from None
    except ReaderError as exc:  # a control character: its str() adds a second line with the position
        line, col = _position(text, exc.position)
        message = f"YAML syntax: unacceptable character #x{exc.character:04x}: {exc.reason}"
        raise LoadError([Problem(label, line, col, message)]) from None
    except YAMLError as exc:
        raise LoadError([Problem(label, 1, 1, f"YAML syntax: {exc}")]) from None
    except RecursionError:  # MAX_DEPTH keeps files well inside the limit; this is for a caller deep in its own stack
        raise LoadError([Problem(label, 1, 1, "YAML syntax: nested too deeply")]) from None


_OPENERS = {"quoted scalar": "a quote", "flow mapping": "a {", "flow sequence": "a ["}


def _never_closed(exc: Any) -> tuple[int, int, str] | None:
    """A quote, { or [ that is never closed: ruamel reports where it gave up (often the end of the
    file); the place to fix is where it opened, which it keeps as the error's context."""
    context, start, end = exc.context or "", exc.context_mark, exc.problem_mark
    opener = next((word for key, word in _OPENERS.items() if key in context), None)
    if opener is None or start is None or end is None or end.line <= start.line:
        return None
    found = (exc.problem or "").strip()
    return start.line + 1, start.column + 1, f"{opener} opens here and is never closed ({found} on line {end.line + 1})"


def _yaml() -> Any:
    """A round-trip parser that refuses deep nesting, and locates values it cannot build (``!!int abc``)."""
    from ruamel.yaml import YAML

    scanner, constructor = _parser_parts()
    yaml = YAML(typ="rt")
    yaml.Scanner, yaml.Constructor = scanner, constructor
    return yaml


@functools.cache
def _parser_parts() -> tuple[type, type]:
    from ruamel.yaml.constructor import ConstructorError, RoundTripConstructor
    from ruamel.yaml.error import YAMLError
    from ruamel.yaml.scanner import RoundTripScanner, ScannerError

    class Scanner(RoundTripScanner):
        # The parser's work on "[[[[..." grows with the square of the depth (2,000 levels take seconds).
        def fetch_flow_collection_start(self, token_class: Any, to_push: str) -> None:
            self._check_depth()
            super().fetch_flow_collection_start(token_class, to_push)

        def add_indent(self, column: int) -> bool:
            self._check_depth()
            return super().add_indent(column)

        def _check_depth(self) -> None:
            if self.flow_level + len(self.indents) >= MAX_DEPTH:
                raise ScannerError(None, None, f"nested more than {MAX_DEPTH} levels deep", self.reader.get_mark())

    class Constructor(RoundTripConstructor):
        def construct_object(self, node: Any, deep: bool = False) -> Any:
            try:
                return super().construct_object(node, deep)
            except (YAMLError, RecursionError):
                raise
            except Exception:  # noqa: BLE001 - a tag ruamel cannot build (!!int '', !!timestamp x) fails in many ways
                kind = str(node.tag).rsplit(":", 1)[-1]
                what = shown(node.value) if isinstance(node.value, str) else "this value"
                raise ConstructorError(None, None, f"cannot read {what} as {kind}", node.start_mark) from None

    return Scanner, Constructor


def _position(text: str, index: int) -> tuple[int, int]:
    """Line and column (1-based) of a character's index in ``text``."""
    before = text[:index]
    return before.count("\n") + 1, index - before.rfind("\n")


def _after(text: str, marker: str) -> str:
    rest = text.split(marker, 1)[1].splitlines()[0]
    return rest.rstrip(" :") if rest.strip() else ""


def validate_document(model: type[M], doc: Any, label: str, text: str = "") -> M:
    """Validate a parsed YAML document against ``model`` with located errors (``text``: the
    file's text, to find an alias that ruamel gives no place of its own)."""
    if not isinstance(doc, dict):
        what = "empty" if doc is None else "a list" if isinstance(doc, list) else "a single value"
        raise LoadError([Problem(label, 1, 1, f"expected a mapping of keys, found {what}")])
    try:
        return model.model_validate(_plain(doc, label, text))
    except ValidationError as exc:
        problems = [_problem(err, doc, label, model) for err in exc.errors()]
        raise LoadError(sorted(set(problems), key=lambda p: (p.line, p.col))) from None


ITSELF = "an alias names the value it is inside"


def _plain(doc: Any, label: str, text: str = "") -> Any:
    """The document as dicts and lists with string keys, every alias written out.

    Aliases may repeat part of a file; one that repeats it past MAX_VALUES values
    ("billion laughs") or that sits inside the value it names is refused where the alias is.
    """
    count = 0
    inside: set[int] = set()

    def plain(node: Any, where: tuple[int, int]) -> Any:
        nonlocal count
        if not isinstance(node, dict | list):
            return node
        count += len(node)
        if count > MAX_VALUES:
            message = f"aliases repeat too much: more than {MAX_VALUES:,} values"
            raise LoadError([Problem(label, *_node_pos(node), message)])
        if id(node) in inside:
            raise LoadError([Problem(label, *where, ITSELF)])
        inside.add(id(node))
        if isinstance(node, dict):
            result: Any = {str(k): plain(v, key_position(node, k) if _is_map(node) else where) for k, v in node.items()}
        else:
            result = []
            for i, value in enumerate(node):
                at = _item_pos(node, i, where)
                if value is None and _alias_of_itself(node, i):
                    # ruamel gives a list holding itself as None, placed at the list: find the alias.
                    raise LoadError([Problem(label, *_alias_pos(text, node, at), ITSELF)])
                result.append(plain(value, at))
        inside.discard(id(node))
        return result

    return plain(doc, _node_pos(doc))


def _item_pos(node: Any, i: int, fallback: tuple[int, int]) -> tuple[int, int]:
    item = (getattr(getattr(node, "lc", None), "data", None) or {}).get(i)
    return (item[0] + 1, item[1] + 1) if item else fallback


def _alias_of_itself(node: Any, i: int) -> bool:
    lc = getattr(node, "lc", None)
    if lc is None:
        return False
    anchor = getattr(getattr(node, "anchor", None), "value", None)
    item = (lc.data or {}).get(i)
    return bool(anchor) and item is not None and (item[0], item[1]) == (lc.line, lc.col)


def _alias_pos(text: str, node: Any, fallback: tuple[int, int]) -> tuple[int, int]:
    """Line and column of the first ``*name`` after the list ``node`` (whose anchor is ``name``) opens."""
    name = node.anchor.value
    lines = text.splitlines()
    for n in range(node.lc.line, len(lines)):
        start = node.lc.col if n == node.lc.line else 0
        col = lines[n].find(f"*{name}", start)
        if col >= 0:
            return n + 1, col + 1
    return fallback


def _problem(err: ErrorDetails, doc: Any, label: str, model: type[BaseModel]) -> Problem:
    loc = tuple(err["loc"])
    line, col, node = _locate(doc, loc)
    # The part right after a list index is the step's kind (the union's tag), not a key.
    keys = [
        str(p)
        for i, p in enumerate(loc)
        if isinstance(p, str) and not (i and isinstance(loc[i - 1], int) and p in STEP_KINDS)
    ]
    key = keys[-1] if keys else ""
    kind = err["type"]
    message = err["msg"].removeprefix("Value error, ")
    named, _, rest = message.partition(":")
    if not loc and _is_map(doc) and named in doc:
        # A check across the whole file that names the key it is about.
        return Problem(label, *key_position(doc, named), message)
    if loc and _is_map(node) and named in node and kind == "value_error":
        # A check across a step that names the key it is about (warn_at, turn).
        return Problem(label, *key_position(node, named), message)
    path = tuple(int(p) if p.isdigit() else p for p in named.split("."))
    if not loc and len(path) > 1 and rest:
        # ... or the place it is about, as a dotted path (steps.6.day.length): located there.
        line, col, _ = _locate(doc, path)
        last = next((p for p in reversed(path) if isinstance(p, str)), "")
        return Problem(label, line, col, f"{last}:{rest}" if last else rest.strip())
    if kind == "extra_forbidden":
        allowed = _allowed_keys(model, loc)
        message = f"unknown key '{key}'" + _key_hint(key, allowed, _step_kind(loc))
    elif kind == "missing":
        message = f"missing required key '{key}'"
    elif kind == "union_tag_invalid":
        tag = str(err.get("ctx", {}).get("tag", "?"))
        close = difflib.get_close_matches(tag.lower(), STEP_KINDS, n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        message = f"unknown step kind '{tag}'{hint}; expected one of: {', '.join(STEP_KINDS)}"
        if isinstance(node, dict) and "kind" in node:
            line, col = key_position(node, "kind")
    elif kind == "string_pattern_mismatch" and key == "id":
        message = "id: use lowercase letters, digits and dashes, like feelz-checkin"
    elif kind == "too_short" and key == "steps":
        message = "steps: a protocol needs at least one step"
    elif kind == "union_tag_not_found":
        message = f"step has no 'kind'; expected one of: {', '.join(STEP_KINDS)}"
    elif key:
        message = f"{key}: {message}"
    return Problem(label, line, col, message)


def _step_kind(loc: tuple) -> str | None:
    """The kind of the step whose own key ``loc`` names (``steps.1.round.duration``), else None."""
    if len(loc) >= 3 and isinstance(loc[-3], int) and loc[-2] in STEP_KINDS:
        return str(loc[-2])
    return None


def _key_hint(key: str, allowed: list[str], step_kind: str | None) -> str:
    """What an unknown key should have been: a key of other kinds of step says so, else the closest key."""
    owners = [kind for kind, step in STEP_MODELS.items() if key in step.model_fields and kind != step_kind]
    if step_kind is not None and owners:
        return f" for a {step_kind} step (a key of {', '.join(owners)}); allowed: {', '.join(allowed)}"
    close = difflib.get_close_matches(key, allowed, n=1)
    if close:
        return f"; did you mean '{close[0]}'?"
    return f"; allowed: {', '.join(allowed)}" if allowed else ""


def _locate(doc: Any, loc: tuple) -> tuple[int, int, Any]:
    """Line and column (1-based) of the key or item that ``loc`` names.

    Parts that are not in the document (a union's tag, a missing key) are
    skipped, so the position falls back to the closest enclosing node.
    """
    node = doc
    line, col = _node_pos(doc)
    for part in loc:
        if _is_map(node) and (part in node or _str_key(node, part) is not None):
            key = part if part in node else _str_key(node, part)
            line, col = key_position(node, key)
            node = node[key]
        elif isinstance(node, list) and hasattr(node, "lc") and isinstance(part, int) and part < len(node):
            item = (node.lc.data or {}).get(part)
            line, col = (item[0] + 1, item[1] + 1) if item else (line, col)
            node = node[part]
    return line, col, node


def _str_key(node: Any, part: Any) -> Any:
    """The key of ``node`` that pydantic names ``part``: keys are strings by then ("1" for 1)."""
    return next((k for k in node if not isinstance(k, str) and str(k) == part), None)


def _is_map(node: Any) -> bool:
    """A mapping as ruamel.yaml's round-trip parser gives it: a dict that knows its positions."""
    return isinstance(node, dict) and hasattr(node, "lc")


def key_position(node: Any, key: Any) -> tuple[int, int]:
    """Line and column (1-based) of a key; one merged in with ``<<: *anchor`` is found where the anchor has it."""
    where = (node.lc.data or {}).get(key)
    if where is not None:
        return where[0] + 1, where[1] + 1
    for source in getattr(node, "merge", ()):
        source = source[-1] if isinstance(source, tuple) else source  # ruamel.yaml before 0.18 kept (index, map)
        if _is_map(source) and key in source:
            return key_position(source, key)
    return _node_pos(node)


def _node_pos(node: Any) -> tuple[int, int]:
    lc = getattr(node, "lc", None)
    if lc is None or lc.line is None:
        return 1, 1
    return lc.line + 1, lc.col + 1


def _allowed_keys(model: type[BaseModel], loc: tuple) -> list[str]:
    """Field names of the model that the location's parent refers to."""
    current: Any = model
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        if part in STEP_MODELS:
            current = STEP_MODELS[part]
            continue
        fields = getattr(current, "model_fields", {})
        if part not in fields:
            return []
        annotation = fields[part].annotation
        current = _model_in(annotation)
        if current is None:
            return []
    return sorted(getattr(current, "model_fields", {}))


def _model_in(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def read_text(path: Path, label: str) -> str:
    """The text of a file of at most MAX_BYTES; what stops it being read is a located LoadError."""
    try:
        mode = path.stat().st_mode
        if not stat.S_ISREG(mode) and not stat.S_ISDIR(mode):
            # A pipe would wait for a writer for ever, a device would never end: refused unread.
            kind = "a pipe" if stat.S_ISFIFO(mode) else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else None
            raise LoadError([Problem(label, 1, 1, f"is {kind or 'not a regular file'}, not a protocol file")])
        with path.open("rb") as file:
            data = file.read(MAX_BYTES + 1)  # never more
    except FileNotFoundError:
        raise LoadError([Problem(label, 1, 1, "no such file")]) from None
    except IsADirectoryError:
        raise LoadError([Problem(label, 1, 1, "is a directory, not a file")]) from None
    except OSError as exc:
        raise LoadError([Problem(label, 1, 1, f"cannot read: {exc.strerror}")]) from None
    if len(data) > MAX_BYTES:
        raise LoadError([Problem(label, 1, 1, f"too large: a file may have at most {MAX_BYTES // 1024} KiB")])
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = data[: exc.start].decode("utf-8")
        raise LoadError([Problem(label, *_position(before, len(before)), f"not UTF-8 text ({exc.reason})")]) from None


def load_model(model: type[M], path: Path | str, label: str | None = None) -> M:
    path = Path(path)
    label = label or str(path)
    text = read_text(path, label)
    cache = parse_cache.shared()
    data = cache.get(text)
    if data is not None:
        try:
            return model.model_validate(data)
        except ValidationError:
            pass  # the models changed since it was kept: parse again, for located errors
    doc = read_yaml(text, label)
    result = validate_document(model, doc, label, text)
    cache.put(text, _plain(doc, label))
    cache.save()
    return result


def load_protocol(path: Path | str) -> Protocol:
    return load_model(Protocol, path)


def yaml_files(paths: Iterable[Path | str]) -> Iterator[Path]:
    """Files named by ``paths``; directories give their ``*.yaml`` and ``*.yml``."""
    for raw in paths:
        path = Path(raw)
        try:
            files = sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml"))
        except (OSError, ValueError):  # not a folder (or not a path at all): read_text says which
            yield path
        else:
            yield from files


def validate_paths(paths: Iterable[Path | str]) -> list[Problem]:
    problems: list[Problem] = []
    seen: dict[str, Path] = {}
    for path in yaml_files(paths):
        try:
            protocol = load_protocol(path)
        except LoadError as exc:
            problems.extend(exc.problems)
            continue
        if protocol.id in seen:
            doc = read_yaml(read_text(path, str(path)), str(path))
            line, col = key_position(doc, "id")
            problems.append(
                Problem(str(path), line, col, f"duplicate id '{protocol.id}' (also in {seen[protocol.id]})")
            )
        seen[protocol.id] = path
    return problems


@dataclass
class Library:
    """Every protocol that can be run, by id, with the file each came from."""

    protocols: dict[str, Protocol] = field(default_factory=dict)
    origins: dict[str, Path] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def get(self, protocol_id: str) -> Protocol:
        try:
            return self.protocols[protocol_id]
        except KeyError:
            close = difflib.get_close_matches(protocol_id, list(self.protocols), n=3)
            hint = f"; did you mean {', '.join(close)}?" if close else "; see `circle protocols`"
            raise UnknownProtocol(f"no protocol '{protocol_id}'{hint}") from None

    def sorted(self) -> list[Protocol]:
        """The library as home and `circle protocols` list it: the short circles first.

        Each family stays together, families in order of their typical length (the median of
        their protocols' shortest plans), so the Feelz circles lead and the two-day gatherings
        close; within a family, by title."""
        families: dict[str, list[int]] = {}
        for protocol in self.protocols.values():
            families.setdefault(protocol.family, []).append(protocol.length_range()[0])
        typical = {family: statistics.median(lengths) for family, lengths in families.items()}
        return sorted(self.protocols.values(), key=lambda p: (typical[p.family], p.family, p.title))


def protocol_dirs() -> list[Path]:
    """Bundled protocols first, then the user's own (which override by id)."""
    return [bundled_dir("protocols"), user_protocols_dir()]


def load_library(extra: Iterable[Path | str] = (), dirs: list[Path] | None = None) -> Library:
    """Merge protocols from the bundled and user directories and explicit paths.

    A later source replaces a protocol with the same id; a file with problems is
    skipped and its problems kept, so one bad file never hides the others.
    """
    library = Library()
    if dirs is None:  # the app's or the command line's own library: the user's folder is where editors look
        ensure_user_protocols_dir()
    sources = [d for d in (protocol_dirs() if dirs is None else dirs) if d.is_dir()]
    for path in yaml_files([*sources, *extra]):
        try:
            protocol = load_protocol(path)
        except LoadError as exc:
            library.problems.extend(exc.problems)
            continue
        library.protocols[protocol.id] = protocol
        library.origins[protocol.id] = path
    return library
