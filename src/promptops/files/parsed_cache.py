"""A large YAML file's data kept between runs, by a hash of its text: a re-run parses nothing.

Reading a 2,000-case eval file is ~60 ms of libyaml events however lean the reader (see
`yaml_values`), while reading the same data back as JSON is ~5 ms, and most runs read a
cases file that has not changed since the last one (a cached re-run, a re-run after a prompt
edit). So the data is kept as JSON next to the sha256 of the text it came from (and of the
JSON itself), and used only when both hashes, this format and the PyYAML version all match;
anything else (no file, an unreadable or damaged one, another text) parses the text again
and writes the file anew.

Only data that JSON gives back equal is kept (strings, numbers, booleans, null, lists and
mappings with string keys); a file with a date, binary data or a non-string key is parsed
every time. The files live in the git directory (`<git dir>/promptops/parsed/`), like the
kept file logs: never in the working tree, where a pull request could commit one that
disagrees with the text beside it. One file per source path keeps the folder bounded, and
only texts of KEEP_FROM_CHARS or more are kept (a smaller one parses as fast as it reads).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from pathlib import Path
from typing import Any

import yaml

FORMAT = 1
KEEP_FROM_CHARS = 16_384  # below this, parsing costs about what reading the kept data does
FOLDER = "promptops/parsed"
MISSING = object()  # what `kept_data` gives when nothing is kept for the text


def parsed_cache_folder(root: Path) -> Path | None:
    """`<git dir>/promptops/parsed` of the repository at `root`, found without running git
    (a worktree's `.git` file names its git directory); None outside a repository."""
    dot_git = root / ".git"
    if dot_git.is_dir():
        return dot_git / FOLDER
    try:
        first = dot_git.read_text(encoding="utf-8").partition("\n")[0]
    except (OSError, UnicodeDecodeError):
        return None
    if not first.startswith("gitdir: "):
        return None
    git_dir = Path(first.removeprefix("gitdir: ").strip())
    return (git_dir if git_dir.is_absolute() else root / git_dir) / FOLDER


def _stamp(text: str) -> dict[str, Any]:
    """What the kept data was parsed from and with; the file's first line, with the data's digest."""
    return {"format": FORMAT, "yaml": yaml.__version__, "libyaml": hasattr(yaml, "CSafeLoader"),
            "sha256": _digest(text)}  # fmt: skip


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _file(folder: Path, path: Path) -> Path:
    name = hashlib.sha256(str(path.resolve()).encode("utf-8")).hexdigest()[:24]
    return folder / f"{name}.json"


def kept_data(folder: Path, path: Path, text: str) -> Any:
    """The data kept for exactly this `text` of `path`, or `MISSING`."""
    try:
        raw = _file(folder, path).read_text(encoding="utf-8")
        stamp, _, body = raw.partition("\n")
        if json.loads(stamp) != {**_stamp(text), "data": _digest(body)}:
            return MISSING
        return json.loads(body)
    except (OSError, ValueError):  # absent, unreadable or corrupt: parse the text
        return MISSING


def keep_data(folder: Path, path: Path, text: str, data: Any) -> None:
    """Keep `data` parsed from `text` when JSON gives it back equal; best effort (a read-only
    git directory only means the next run parses again)."""
    try:
        body = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError):
        return  # a date, bytes, a non-string key, NaN: not JSON's to give back
    if json.loads(body) != data:  # `{1: x}` dumps as `{"1": x}`: not the same data
        return
    target = _file(folder, path)
    with contextlib.suppress(OSError):
        folder.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f"{target.name}.{os.getpid()}.tmp")
        stamp = json.dumps({**_stamp(text), "data": _digest(body)})
        tmp.write_text(stamp + "\n" + body, encoding="utf-8")
        tmp.replace(target)
