"""The fields of a protocol as an editor names them (``title``, ``steps.2.turn``), what each holds,
and where a loader's problem is, by field: the parts of :mod:`circle.protocol.editing` that read
the models and the loader's positions rather than change a document.
"""

from __future__ import annotations

import re
import types
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, BeforeValidator
from pydantic.fields import FieldInfo

from circle.core.durations import parse_duration
from circle.protocol.loader import Problem, key_position
from circle.protocol.models import STEP_MODELS, Day, GroupSize, Protocol

# What a field holds, as typed: text, a duration (kept as written), a whole number, yes/no,
# a list ("a, b"), or a size (a number, or a word such as pairs).
Kind = Literal["text", "duration", "int", "bool", "list", "size"]

HEADER_NESTED: dict[str, type[BaseModel]] = {"group_size": GroupSize}
STEP_NESTED: dict[str, type[BaseModel]] = {"day": Day}


def value_kind(info: FieldInfo) -> Kind:
    """What a model's field holds, read from its annotation (a Duration is named by its parser)."""
    if any(isinstance(m, BeforeValidator) and m.func is parse_duration for m in info.metadata):
        return "duration"
    return _kind_of(info.annotation)


def _kind_of(annotation: Any) -> Kind:
    origin = get_origin(annotation)
    if origin is Annotated:
        if any(isinstance(m, BeforeValidator) and m.func is parse_duration for m in annotation.__metadata__):
            return "duration"
        return _kind_of(get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        kinds = {_kind_of(a) for a in get_args(annotation) if a is not type(None)}
        if "duration" in kinds:
            return "duration"
        if kinds == {"int", "text"}:
            return "size"
        return kinds.pop() if len(kinds) == 1 else "text"
    if annotation is bool:
        return "bool"
    if annotation is int:
        return "int"
    if annotation is list or origin is list:
        return "list"
    return "text"


def known_fields(model: type[BaseModel], nested: dict[str, type[BaseModel]]) -> dict[str, tuple[Kind, bool]]:
    """Every field an editor may set, by its dotted name: (what it holds, whether it is required)."""
    fields: dict[str, tuple[Kind, bool]] = {}
    for name, info in model.model_fields.items():
        if name == "steps":
            continue
        if name in nested:
            for sub, sub_info in nested[name].model_fields.items():
                fields[f"{name}.{sub}"] = (value_kind(sub_info), False)
        else:
            fields[name] = (value_kind(info), info.is_required())
    return fields


HEADER_FIELDS = known_fields(Protocol, HEADER_NESTED)
STEP_FIELDS = {kind: known_fields(model, STEP_NESTED) for kind, model in STEP_MODELS.items()}
ANY_STEP_FIELDS = {name: kind for fields in STEP_FIELDS.values() for name, kind in fields.items()}

_TRUE = {"yes", "true", "on", "y"}
_FALSE = {"no", "false", "off", "n"}
_INT = re.compile(r"^[+-]?[0-9]{1,18}$")


def typed(kind: Kind, text: str) -> object:
    """What a person typed, as the file should hold it: a number as a number, yes as true, a
    duration as written ("2m" stays "2m"). What cannot be read is kept as text, for the loader
    to say what is wrong with it."""
    text = text.strip()
    if kind == "list":
        return [part.strip() for part in text.split(",") if part.strip()]
    if kind == "bool":
        word = text.lower()
        return True if word in _TRUE else False if word in _FALSE else text
    if kind in ("int", "size", "duration") and _INT.match(text) and not text.startswith("+"):
        return int(text)
    return text


# -- where a loader's problem is, by field


def field_positions(doc: Any) -> dict[tuple[int, int], list[tuple[str, bool]]]:
    """Each position (line, col, 1-based) of a parsed document's keys and steps: the fields
    there, shallowest first, each with whether it holds a mapping. A list's items are their list's."""
    places: dict[tuple[int, int], list[tuple[str, bool]]] = {}

    def add(at: tuple[int, int], path: str, value: Any) -> None:
        places.setdefault(at, []).append((path, isinstance(value, dict)))

    def walk(node: Any, prefix: str) -> None:
        for key, value in node.items():
            path = f"{prefix}{key}"
            add(key_position(node, key), path, value)
            if path == "steps" and isinstance(value, list):
                for i, step in enumerate(value):
                    item = (getattr(getattr(value, "lc", None), "data", None) or {}).get(i)
                    if item is not None:
                        add((item[0] + 1, item[1] + 1), f"steps.{i}", step)
                    if isinstance(step, dict) and hasattr(step, "lc"):
                        walk(step, f"steps.{i}.")
            elif isinstance(value, dict) and hasattr(value, "lc"):
                walk(value, f"{path}.")
            elif isinstance(value, list) and hasattr(value, "lc"):
                for item in (value.lc.data or {}).values():
                    add((item[0] + 1, item[1] + 1), path, None)

    if isinstance(doc, dict) and hasattr(doc, "lc"):
        add((1, 1), "", doc)
        add(((doc.lc.line or 0) + 1, (doc.lc.col or 0) + 1), "", doc)
        walk(doc, "")
    return places


_MISSING = re.compile(r"^missing required key '([^']+)'")


def where_of(problem: Problem, places: dict[tuple[int, int], list[tuple[str, bool]]]) -> str:
    """The field a problem is about, from its position: a missing key is named in the mapping that
    lacks it; of the fields at one place (a step and its first key), the one the message names."""
    found = places.get((problem.line, problem.col), [])
    if not found:
        return ""
    missing = _MISSING.match(problem.message)
    if missing:
        holder = next((path for path, is_map in found if is_map), found[0][0])
        return f"{holder}.{missing.group(1)}" if holder else missing.group(1)
    for path, _ in reversed(found):
        name = path.rsplit(".", 1)[-1]
        message = problem.message
        if name and (message.startswith(f"{name}:") or f"'{name}'" in message or f" {name} " in message):
            return path
    return found[0][0]


# -- changing a document


def plain(node: Any) -> Any:
    """A round-trip value as plain Python: dicts, lists, str, int, bool."""
    if isinstance(node, dict):
        return {str(k): plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [plain(v) for v in node]
    if isinstance(node, bool) or node is None:
        return node
    for kind in (str, int, float):
        if isinstance(node, kind):
            return kind(node)
    return node


def fill(step: Any, kind: str) -> None:
    """What a kind of step cannot do without, where it is missing."""
    needs = STEP_FIELDS[kind]
    defaults: dict[str, object] = {"title": f"New {kind}", "turn": "2m", "duration": "5m", "size": 4}
    for name, value in defaults.items():
        if name in needs and needs[name][1] and name not in step:
            step[name] = value


def set_value(node: Any, keys: list[str], kind: Kind, required: bool, text: str, before: str | None) -> None:
    """Set (or remove) ``keys`` under ``node`` as typed, keeping the key's place, comment and style."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq
    from ruamel.yaml.scalarstring import LiteralScalarString

    *outer, key = keys
    parent = node
    for name in outer:
        inner = parent.get(name)
        if not isinstance(inner, dict):
            if not text.strip():
                return
            inner = CommentedMap()
            inner.fa.set_flow_style()
            put(parent, name, inner, before)
        parent = inner
    if not text.strip() and not required:
        if key in parent:
            delete_key(parent, key)
        if outer and not parent:  # a group_size or day left empty goes too
            delete_key(node, outer[0])
        return
    value: Any = typed(kind, text)
    old = parent.get(key)
    if isinstance(value, list):
        seq = CommentedSeq(value)
        if not isinstance(old, CommentedSeq) or old.fa.flow_style():
            seq.fa.set_flow_style()
        value = seq
    elif isinstance(value, str) and "\n" in value:
        value = LiteralScalarString(value)
    elif isinstance(value, str):
        value = like(old, value)
    if plain(old) == plain(value) and type(old) is type(value):
        return
    put(parent, key, value, before)


def like(old: Any, text: str) -> Any:
    """``text`` written as ``old`` was: quoted, folded (``>-``) or literal (``|``) alike."""
    from ruamel.yaml.scalarstring import ScalarString

    return type(old)(text) if isinstance(old, ScalarString) else text


def put(node: Any, key: str, value: Any, before: str | None) -> None:
    if key in node or before not in node:
        node[key] = value
    else:
        node.insert(list(node).index(before), key, value)


def delete_key(node: Any, key: Any) -> None:
    """Remove a key, keeping the comment lines after it (which the file has before the next key):
    they go to the key before it. Its own end-of-line comment goes with it."""
    keys = list(node)
    lines = trailing_lines(node, key)
    del node[key]
    at = keys.index(key)
    if lines and at > 0:
        add_trailing_lines(node, keys[at - 1], lines)


def trailing_lines(node: Any, key: Any) -> str:
    """The whole-line comments after a key's value (its end-of-line comment left out)."""
    entry = getattr(node, "ca", None) and node.ca.items.get(key)
    token = entry[2] if entry and len(entry) > 2 else None
    if token is None:
        return ""
    _, _, rest = token.value.partition("\n")
    return rest


def add_trailing_lines(node: Any, key: Any, lines: str) -> None:
    """Add whole-line comments after a key's value (after the end-of-line comment it has)."""
    from ruamel.yaml.error import CommentMark
    from ruamel.yaml.tokens import CommentToken

    entry = node.ca.items.setdefault(key, [None, None, None, None])
    while len(entry) < 3:
        entry.append(None)
    if entry[2] is None:
        entry[2] = CommentToken("\n" + lines, CommentMark(0), None)
    else:
        value = entry[2].value
        entry[2].value = value + ("" if value.endswith("\n") else "\n") + lines
