"""Batches submitted but not yet collected, one small JSON file per batch.

A Message Batch is paid for when the provider processes it, not when promptops reads the
results. So the moment a batch is created its id and the cache keys of its requests are
written here (write to a temporary file, fsync, rename: a reader sees the whole file or
none). A run that is interrupted (Ctrl-C, a cancelled CI job, a killed process) leaves the
file behind; the next run that needs any of those keys collects the same batch instead
of submitting the requests again. The file is removed once the results are in the cache.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from promptops.config import Config
from promptops.errors import ConfigError

STATE_FOLDER = ".promptops/batches"


@dataclass(frozen=True)
class PendingBatch:
    batch_id: str
    endpoint: str  # the API base URL it was submitted to: a batch is only collected from there
    keys: tuple[str, ...]
    created_at: float


def batch_state_folder(config: Config) -> Path:
    """Where a repository's pending batches are recorded (saved with the cache in CI)."""
    return config.root / STATE_FOLDER


class PendingBatches:
    """The pending-batch files of one folder, read once and kept up to date in memory."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._batches: dict[str, PendingBatch] | None = None

    def all(self) -> list[PendingBatch]:
        if self._batches is None:
            self._batches = {b.batch_id: b for b in self._read_folder()}
        return list(self._batches.values())

    def owners(self, endpoint: str) -> dict[str, str]:
        """Cache key -> id of the pending batch (at this endpoint) that holds its request."""
        return {key: b.batch_id for b in self.all() if b.endpoint == endpoint for key in b.keys}

    def record(self, batch_id: str, endpoint: str, keys: list[str]) -> PendingBatch:
        """Write the batch's file atomically; call it right after the batch is created."""
        batch = PendingBatch(batch_id, endpoint, tuple(keys), time.time())
        payload = {"batch_id": batch_id, "endpoint": endpoint, "created_at": batch.created_at, "keys": keys}
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            _write_atomically(self._path(batch_id), json.dumps(payload, separators=(",", ":")))
        except OSError as exc:
            raise ConfigError(
                f"{self.folder}: error: cannot record Message Batch {batch_id} ({exc}); the batch is "
                "running and billed: collect it by re-running once the folder is writable"
            ) from exc
        self.all()
        assert self._batches is not None
        self._batches[batch_id] = batch
        return batch

    def forget(self, batch_id: str) -> None:
        """The batch's results are stored: nothing left to resume."""
        with contextlib.suppress(FileNotFoundError):
            self._path(batch_id).unlink()
        if self._batches is not None:
            self._batches.pop(batch_id, None)

    def _path(self, batch_id: str) -> Path:
        return self.folder / f"{batch_id}.json"

    def _read_folder(self) -> list[PendingBatch]:
        if not self.folder.is_dir():
            return []
        found = []
        for path in sorted(self.folder.glob("*.json")):
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
                found.append(
                    PendingBatch(
                        str(data["batch_id"]),
                        str(data["endpoint"]),
                        tuple(data["keys"]),
                        float(data["created_at"]),
                    )
                )
            except (OSError, ValueError, KeyError, TypeError) as exc:
                raise ConfigError(
                    f"{path}: error: unreadable pending-batch record ({exc}); it should hold batch_id, "
                    "endpoint, created_at and keys; delete it only if that batch was collected or canceled"
                ) from exc
        return found


def _write_atomically(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
