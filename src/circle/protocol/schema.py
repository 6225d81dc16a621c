"""The protocol JSON Schema as a file, where editors look for it: beside the protocols.

The bundled protocols name ``protocol.schema.json`` beside them (a ``yaml-language-server``
comment at their top); a copy made into the user's folder keeps the same comment, so the user's
folder holds the schema too, and is brought up to date when circle's own copy changes.
"""

from __future__ import annotations

import json
from pathlib import Path

from circle.core.errors import InputError
from circle.core.files import write_bytes, write_text
from circle.core.resources import bundled_dir, user_protocols_dir
from circle.protocol.models import STEP_KINDS, STEP_MODELS, BlockStep, Protocol

SCHEMA_NAME = "protocol.schema.json"


def schema_text() -> str:
    """The schema as ``circle schema`` prints it and the bundled file holds it, byte for byte."""
    return json.dumps(json_schema(), indent=2) + "\n"


def json_schema() -> dict:
    schema = Protocol.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "circle protocol"
    schema["properties"]["steps"]["items"] = _step_schema(schema["properties"]["steps"]["items"])
    return schema


def _step_schema(union: dict) -> dict:
    """A step for editors: ``kind`` first, one of all the kinds, then that kind's own fields.

    pydantic writes the union as ``oneOf`` with an OpenAPI ``discriminator`` that editors
    ignore: ``kind: roud`` then fails every branch, and the message is whichever branch came
    closest ("Value must be round"). An ``if kind is ... then`` per model gives one message
    naming every kind, and checks each kind's fields against its own model.
    """
    by_model: dict[str, list[str]] = {}
    for kind in STEP_KINDS:
        by_model.setdefault(union["discriminator"]["mapping"][kind], []).append(kind)
    return {
        "type": "object",
        "required": ["kind"],
        "properties": {
            "kind": {
                "enum": list(STEP_KINDS),
                "enumDescriptions": [_kind_help(kind) for kind in STEP_KINDS],
                "description": "What the step is; its other keys depend on it.",
            }
        },
        "allOf": [
            {
                "if": {
                    "properties": {"kind": {"const": kinds[0]} if len(kinds) == 1 else {"enum": kinds}},
                    "required": ["kind"],
                },
                "then": {"$ref": ref},
            }
            for ref, kinds in by_model.items()
        ],
    }


def _kind_help(kind: str) -> str:
    model = STEP_MODELS[kind]
    if model is BlockStep:
        return f"An agenda block: {kind.replace('_', ' ')}."
    return " ".join((model.__doc__ or "").split())


def write_schema(folder: Path) -> Path:
    """Write the schema into ``folder`` (which must exist); a folder that cannot take it is an InputError."""
    if not folder.is_dir():
        what = "is not a folder" if folder.exists() else "no such folder"
        raise InputError(f"cannot write the schema into {folder}: {what}")
    target = folder / SCHEMA_NAME
    try:
        write_text(target, schema_text())
    except OSError as exc:
        raise InputError(f"cannot write {target}: {exc.strerror}; nothing was changed there") from None
    return target


def ensure_user_protocols_dir() -> Path | None:
    """The user's protocol folder, made if need be, with the current schema in it.

    Cheap when nothing changed: the bundled file's bytes are compared, never regenerated.
    A folder that cannot be made or written (a read-only home) is left as it is: circle runs
    the same without it, so this returns None and says nothing.
    """
    folder = user_protocols_dir()
    target = folder / SCHEMA_NAME
    try:
        current = (bundled_dir("protocols") / SCHEMA_NAME).read_bytes()
    except OSError:
        return None
    try:
        if target.read_bytes() == current:
            return folder
    except OSError:
        pass  # not there yet, or not readable: written below
    try:
        folder.mkdir(parents=True, exist_ok=True)
        write_bytes(target, current)
    except OSError:
        return None
    return folder
