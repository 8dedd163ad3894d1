"""What promptops does when GitHub fails: which errors to retry, how long to wait, what to say.

One policy for every call keeps the bot patient with 5xx and rate limits and quick to give
up on what retrying cannot fix (401, 404, 422), with a message saying what to do.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from github import GithubException

from promptops.errors import PromptopsError


class GitHubError(PromptopsError):
    """GitHub refused or kept failing; the message says what was being done and what to do."""


class MissingToken(GitHubError):
    """No token: the caller keeps the pushed branch and tells the user how to open the PR."""


class OpenPullLimitReached(GitHubError):
    """`github.max_open_prs` promptops PRs are already open; none was opened."""


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try before giving up. Tests inject `sleep` (and may shrink the waits)."""

    attempts: int = 4
    base_delay_s: float = 1.0  # 5xx: 1 s, 2 s, 4 s
    max_wait_s: float = 60.0  # cap on waits GitHub asks for (retry-after, the rate-limit reset)
    secondary_wait_s: float = 60.0  # a secondary rate limit without retry-after: GitHub says wait a minute
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False, compare=False)


def retry_wait(exc: GithubException, attempt: int, policy: RetryPolicy) -> float | None:
    """Seconds to wait before retrying `exc`, or None when retrying cannot help.

    - 5xx: exponential backoff (about 1 s, 2 s, 4 s), whatever rate-limit headers say;
    - `retry-after`: what it says;
    - the primary rate limit (`x-ratelimit-remaining: 0`): until `x-ratelimit-reset`;
    - a secondary rate limit (429, or a 403 saying so, without `retry-after`): at least a minute;
    - any other 403 is a permission, not a limit: no retry.
    """
    if exc.status >= 500:
        return min(policy.base_delay_s * 2 ** (attempt - 1), policy.max_wait_s)
    if exc.status not in (403, 429):
        return None
    headers = {k.lower(): v for k, v in (exc.headers or {}).items()}
    asked = _number(headers.get("retry-after"))
    if asked is not None:
        return max(0.0, min(asked, policy.max_wait_s))
    if headers.get("x-ratelimit-remaining") == "0":
        reset = _number(headers.get("x-ratelimit-reset"))
        wanted = reset - time.time() + 1 if reset is not None else policy.secondary_wait_s
        return max(0.0, min(wanted, policy.max_wait_s))
    if exc.status == 429 or "secondary rate limit" in _message(exc).lower():
        return policy.secondary_wait_s
    return None


def _number(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def _message(exc: GithubException) -> str:
    data = exc.data if isinstance(exc.data, dict) else {}
    return str(data.get("message") or "")


def describe_failure(exc: GithubException, doing: str, full_name: str) -> str:
    data = exc.data if isinstance(exc.data, dict) else {}
    message = str(data.get("message") or exc)
    details = "; ".join(
        str(e.get("message") or f"{e.get('field')} {e.get('code')}")
        for e in data.get("errors", [])
        if isinstance(e, dict)
    )
    text = f"GitHub answered {exc.status} while {doing}: {message}" + (f" ({details})" if details else "")
    headers = {k.lower(): v for k, v in (exc.headers or {}).items()}
    if exc.status in (403, 429) and headers.get("x-ratelimit-remaining") == "0":
        reset = headers.get("x-ratelimit-reset", "")
        when = time.strftime("%H:%M:%S UTC", time.gmtime(float(reset))) if reset.isdigit() else "later"
        return f"{text}; the rate limit resets at {when}, re-run then"
    if exc.status == 401:
        return f"{text}; check the token (GITHUB_TOKEN or --token)"
    if exc.status == 404:
        return f"{text}; check that {full_name} exists and the token can access it"
    if exc.status >= 500:
        return f"{text}; GitHub kept failing, re-run later (it picks up where it stopped)"
    return text
