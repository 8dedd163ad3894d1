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
    """How hard to try before giving up. Tests pass a tiny `max_wait_s`."""

    attempts: int = 4
    base_delay_s: float = 1.0
    max_wait_s: float = 60.0
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False, compare=False)


def retry_wait(exc: GithubException, attempt: int, policy: RetryPolicy) -> float | None:
    """Seconds to wait before retrying `exc`, or None when retrying cannot help."""
    headers = {k.lower(): v for k, v in (exc.headers or {}).items()}
    limited = exc.status in (403, 429) and (
        headers.get("x-ratelimit-remaining") == "0" or "retry-after" in headers
    )
    if not (limited or exc.status >= 500):
        return None
    if headers.get("retry-after", "").strip().isdigit():
        wanted = float(headers["retry-after"])
    elif headers.get("x-ratelimit-reset", "").strip().isdigit():
        wanted = float(headers["x-ratelimit-reset"]) - time.time() + 1
    else:
        wanted = policy.base_delay_s * 2 ** (attempt - 1)
    return max(0.0, min(wanted, policy.max_wait_s))


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
