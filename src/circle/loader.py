"""Load protocol YAML files and report every problem as ``path:line:col: message``.

ruamel.yaml keeps the position of every key, so a pydantic error location such
as ``steps.2.turn`` is turned back into the line and column of that key.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from circle import parse_cache
from circle.errors import CircleError
from circle.protocol import STEP_KINDS, STEP_MODELS, Protocol
from circle.resources import bundled_dir, user_dir

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Problem:
    path: str
    line: int
    col: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}: {self.message}"


class LoadError(CircleError):
    """One or more problems in a file; ``str()`` gives one line per problem."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def read_yaml(text: str, label: str) -> Any:
    """Parse YAML keeping positions; syntax errors become a located LoadError."""
    # Imported here: a start that finds every file in the parse cache never needs it.
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    yaml = YAML(typ="rt")
    try:
        return yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = (exc.problem or exc.context or "invalid YAML").strip()
        if "found duplicate key" in str(exc):
            problem = "duplicate key" + _after(str(exc), "found duplicate key")
        raise LoadError([Problem(label, line, col, f"YAML syntax: {problem}")]) from None
    except YAMLError as exc:
        raise LoadError([Problem(label, 1, 1, f"YAML syntax: {exc}")]) from None


def _after(text: str, marker: str) -> str:
    rest = text.split(marker, 1)[1].splitlines()[0]
    return rest.rstrip(" :") if rest.strip() else ""


def validate_document(model: type[M], doc: Any, label: str) -> M:
    """Validate a parsed YAML document against ``model`` with located errors."""
    if not isinstance(doc, dict):
        what = "empty" if doc is None else "a list" if isinstance(doc, list) else "a single value"
        raise LoadError([Problem(label, 1, 1, f"expected a mapping of keys, found {what}")])
    try:
        return model.model_validate(_plain(doc))
    except ValidationError as exc:
        problems = [_problem(err, doc, label, model) for err in exc.errors()]
        raise LoadError(sorted(set(problems), key=lambda p: (p.line, p.col))) from None


def _plain(node: Any) -> Any:
    if isinstance(node, dict):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    return node


def _problem(err: dict, doc: Any, label: str, model: type[BaseModel]) -> Problem:
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
    named = message.split(":", 1)[0]
    if not loc and _is_map(doc) and named in doc:
        # A check across the whole file that names the key it is about.
        return Problem(label, *_key_pos(doc, named), message)
    if kind == "extra_forbidden":
        message = f"unknown key '{key}'"
        allowed = _allowed_keys(model, loc)
        close = difflib.get_close_matches(key, allowed, n=1)
        if close:
            message += f"; did you mean '{close[0]}'?"
        elif allowed:
            message += f"; allowed: {', '.join(allowed)}"
    elif kind == "missing":
        message = f"missing required key '{key}'"
    elif kind == "union_tag_invalid":
        tag = err.get("ctx", {}).get("tag", "?")
        message = f"unknown step kind '{tag}'; expected one of: {', '.join(STEP_KINDS)}"
        if isinstance(node, dict) and "kind" in node:
            line, col = _key_pos(node, "kind")
    elif kind == "string_pattern_mismatch" and key == "id":
        message = "id: use lowercase letters, digits and dashes, like feelz-checkin"
    elif kind == "too_short" and key == "steps":
        message = "steps: a protocol needs at least one step"
    elif kind == "union_tag_not_found":
        message = f"step has no 'kind'; expected one of: {', '.join(STEP_KINDS)}"
    elif key:
        message = f"{key}: {message}"
    return Problem(label, line, col, message)


def _locate(doc: Any, loc: tuple) -> tuple[int, int, Any]:
    """Line and column (1-based) of the key or item that ``loc`` names.

    Parts that are not in the document (a union's tag, a missing key) are
    skipped, so the position falls back to the closest enclosing node.
    """
    node = doc
    line, col = _node_pos(doc)
    for part in loc:
        if _is_map(node) and part in node:
            line, col = _key_pos(node, part)
            node = node[part]
        elif isinstance(node, list) and hasattr(node, "lc") and isinstance(part, int) and part < len(node):
            item_line, item_col = node.lc.item(part)
            line, col = item_line + 1, item_col + 1
            node = node[part]
    return line, col, node


def _is_map(node: Any) -> bool:
    """A mapping as ruamel.yaml's round-trip parser gives it: a dict that knows its positions."""
    return isinstance(node, dict) and hasattr(node, "lc")


def _key_pos(node: Any, key: Any) -> tuple[int, int]:
    key_line, key_col = node.lc.key(key)
    return key_line + 1, key_col + 1


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


def load_model(model: type[M], path: Path | str, label: str | None = None) -> M:
    path = Path(path)
    label = label or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise LoadError([Problem(label, 1, 1, "no such file")]) from None
    except IsADirectoryError:
        raise LoadError([Problem(label, 1, 1, "is a directory, not a file")]) from None
    except UnicodeDecodeError as exc:
        raise LoadError([Problem(label, 1, 1, f"not UTF-8 text ({exc.reason})")]) from None
    except OSError as exc:
        raise LoadError([Problem(label, 1, 1, f"cannot read: {exc.strerror}")]) from None
    cache = parse_cache.shared()
    data = cache.get(text)
    if data is not None:
        try:
            return model.model_validate(data)
        except ValidationError:
            pass  # the models changed since it was kept: parse again, for located errors
    doc = read_yaml(text, label)
    result = validate_document(model, doc, label)
    cache.put(text, _plain(doc))
    cache.save()
    return result


def load_protocol(path: Path | str) -> Protocol:
    return load_model(Protocol, path)


def yaml_files(paths: Iterable[Path | str]) -> Iterator[Path]:
    """Files named by ``paths``; directories give their ``*.yaml`` and ``*.yml``."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            yield from sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml"))
        else:
            yield path


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
            doc = read_yaml(path.read_text(encoding="utf-8"), str(path))
            line, col = _key_pos(doc, "id")
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
            raise KeyError(f"no protocol '{protocol_id}'{hint}") from None

    def sorted(self) -> list[Protocol]:
        return sorted(self.protocols.values(), key=lambda p: (p.family, p.title))


def protocol_dirs() -> list[Path]:
    """Bundled protocols first, then the user's own (which override by id)."""
    dirs = [bundled_dir("protocols")]
    extra = os.environ.get("CIRCLE_PROTOCOLS")
    dirs.append(Path(extra) if extra else user_dir() / "protocols")
    return dirs


def load_library(extra: Iterable[Path | str] = (), dirs: list[Path] | None = None) -> Library:
    """Merge protocols from the bundled and user directories and explicit paths.

    A later source replaces a protocol with the same id; a file with problems is
    skipped and its problems kept, so one bad file never hides the others.
    """
    library = Library()
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
