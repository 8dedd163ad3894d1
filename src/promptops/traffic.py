"""The traffic split of a canary rollout: which arm (stable or candidate) serves a call.

Standard library only, because `promptops.runtime` (imported by agents in production) uses it.

A user's position on the line [0, 100) is a hash of (rollout id, key), so it is the same in
every process and on every call, and independent between rollouts. The candidate serves the
positions below the current weight: raising the weight from 5 to 25 only adds users (those
between 5 and 25) to the candidate arm, never moves anyone back. The rollout id names the
prompt and the candidate's version id, so a new candidate reshuffles users while the same
candidate keeps them where they are.
"""

from __future__ import annotations

import hashlib
import random

STABLE = "stable"
CANDIDATE = "candidate"
_SCALE = 2**64


def rollout_id(prompt_id: str, candidate_version: str) -> str:
    """`AGENT/NAME@<candidate version id>`: what the split is hashed under."""
    return f"{prompt_id}@{candidate_version}"


def position(rollout: str, key: str) -> float:
    """A stable position in [0, 100) for `key` within `rollout` (SHA-256, so keys spread evenly)."""
    digest = hashlib.sha256(f"{rollout}\0{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big") * 100.0 / _SCALE


def choose_arm(rollout: str, weight: float, key: str | None, rng: random.Random | None = None) -> str:
    """The arm for one call: by the key's position when there is a key, else at random.

    Without a key there is nothing to keep a user on one arm, so each call is drawn anew
    (`rng`, default the `random` module); callers say so to their users.
    """
    if weight <= 0:
        return STABLE
    if weight >= 100:
        return CANDIDATE
    point = position(rollout, key) if key is not None else (rng or random).random() * 100.0
    return CANDIDATE if point < weight else STABLE
