"""What an import did: per agent what was written, and every item skipped or changed, by place."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class AgentImport:
    id: str
    created: bool
    cases_path: Path
    prompt_files: list[str] = field(default_factory=list)  # written, relative to the agent folder


@dataclass
class ImportReport:
    source: Path
    agents: list[AgentImport] = field(default_factory=list)
    cases: int = 0
    assertions: int = 0
    skipped: list[str] = field(default_factory=list)  # left out, by promptfoo place and why
    notes: list[str] = field(default_factory=list)  # converted with a change worth knowing
    unsupported: Counter[str] = field(default_factory=Counter)  # assertion types left out
    hint: str | None = None  # what the user still has to do

    def skip(self, where: object, message: str) -> None:
        self.skipped.append(f"{where}: {message}")

    def note(self, where: object, message: str) -> None:
        self.notes.append(f"{where}: {message}")


@dataclass
class Conversion:
    """State shared while converting one suite: the report and the code files to copy."""

    report: ImportReport
    base: Path  # the promptfoo config's folder
    code_files: dict[str, Path] = field(default_factory=dict)  # name under evals/ -> source file
    providers: Any = None  # the config's `providers`, for a new agent's model

    def code_file(self, source: Path) -> str:
        """The name a python/javascript file gets next to the cases file (kept unique)."""
        for name, known in self.code_files.items():
            if known == source:
                return name
        name, n = source.name, 2
        while name in self.code_files:
            name, n = f"{source.stem}-{n}{source.suffix}", n + 1
        self.code_files[name] = source
        return name
