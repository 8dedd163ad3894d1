"""Places in a promptfoo suite: the config, or a file it loads (tests.csv row 4, cases.yaml[2]).

Every note, skip and error of the importer names one of these, so a user can find the
item in their own files: `tests[1].assert[0]`, `tests.csv:4 __expected1`,
`cases/refunds.yaml: [2].vars.question`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

from promptops.errors import InputError
from promptops.files import Document, format_json_path


@dataclass(frozen=True)
class Where:
    file: Path
    main: Path  # the promptfoo config the user named
    path: tuple[str | int, ...] = ()
    line: int | None = None  # a CSV or JSONL line
    doc: Document | None = field(default=None, compare=False, repr=False)

    def child(self, *keys: str | int) -> Where:
        return replace(self, path=(*self.path, *keys))

    def __str__(self) -> str:
        inner = format_json_path(self.path)
        if inner.startswith("["):
            inner = f" {inner}" if self.file != self.main else inner
        if self.file == self.main and self.line is None:
            return inner or self.file.name
        name = os.path.relpath(self.file, self.main.parent)
        return f"{name}{f':{self.line}' if self.line else ''}{' ' + inner.strip() if inner else ''}"

    def error(self, message: str) -> InputError:
        if self.doc is not None and self.line is None:
            return self.doc.error(list(self.path), message)
        where = f"{self.file}:{self.line or 1}:1: error: "
        inner = format_json_path(self.path)
        return InputError(f"{where}{inner + ': ' if inner else ''}{message}")
