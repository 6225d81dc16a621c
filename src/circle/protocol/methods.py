"""The method library an Inquiry draws on (data/methods.yaml)."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from circle.core.durations import format_duration
from circle.core.resources import bundled_dir
from circle.protocol.loader import Problem, key_position, load_model, load_protocol, read_text, read_yaml
from circle.protocol.models import BlockStep, Duration


class Method(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    name: str = Field(min_length=1)
    summary: str = ""
    length: Duration
    materials: list[str] = Field(default_factory=list)

    def describe(self) -> str:
        return f"{self.name} ({format_duration(self.length)}): {self.summary}"


class MethodLibrary(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    methods: list[Method]

    def get(self, method_id: str) -> Method | None:
        return next((m for m in self.methods if m.id == method_id), None)


def load_methods(path: Path | None = None) -> MethodLibrary:
    return load_model(MethodLibrary, path or bundled_dir("data") / "methods.yaml")


def method_problems(path: Path, library: MethodLibrary) -> list[Problem]:
    """A `method` block that names no method in the library, located at its `method` key."""
    protocol = load_protocol(path)
    doc = read_yaml(read_text(path, str(path)), str(path))
    known = ", ".join(m.id for m in library.methods)
    problems = []
    for i, step in enumerate(protocol.steps):
        if isinstance(step, BlockStep) and step.kind == "method" and library.get(step.method) is None:
            node = doc["steps"][i]
            line, col = key_position(node, "method")
            what = f"unknown method '{step.method}'" if step.method else "a method block needs a method"
            problems.append(Problem(str(path), line, col, f"{what}; the library has: {known}"))
    return problems
