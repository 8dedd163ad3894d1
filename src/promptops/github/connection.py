"""Connecting to GitHub: which repository (argument, Actions variable or remote URL), which
server (github.com or Enterprise), which token, and what to tell a user who has none.

Both `promptops pr` and `promptops rollback` push a branch first and open the pull request
second; without a token the branch is still useful, so the caller tells the user how to
open the PR by hand instead of failing.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path

from github import Auth, Github

from promptops.config import Config
from promptops.errors import ConfigError
from promptops.git.repository import remote_url as git_remote_url
from promptops.github.repository import GitHubRepo
from promptops.github.retries import MissingToken, RetryPolicy

DEFAULT_BASE_URL = "https://api.github.com"


def parse_remote_url(url: str) -> str | None:
    """`owner/name` from an https or ssh remote URL (`git@host:o/n.git`, `ssh://git@host/o/n`)."""
    patterns = (
        r"^(?:https?|ssh|git)://(?:[^@/]+@)?[^/]+/(?P<path>.+?)/?$",
        r"^(?:[^@/]+@)?[^/:]+:(?P<path>[^/].*?)/?$",
    )
    for pattern in patterns:
        found = re.match(pattern, url.strip())
        if found:
            parts = found.group("path").removesuffix(".git").split("/")
            if len(parts) >= 2 and all(parts[-2:]):
                return "/".join(parts[-2:])
    return None


def resolve_repository(repository: str | None, remote_url: str | None, env: Mapping[str, str]) -> str:
    """The argument, else `GITHUB_REPOSITORY`, else parsed from the remote URL."""
    name = (
        repository or env.get("GITHUB_REPOSITORY") or (parse_remote_url(remote_url) if remote_url else None)
    )
    if not name or not re.fullmatch(r"[\w.-]+/[\w.-]+", name):
        shown = f" from remote URL {remote_url!r}" if remote_url else ""
        raise ConfigError(f"cannot tell the GitHub repository{shown}; set GITHUB_REPOSITORY=owner/name")
    return name


def manual_pr_hint(remote_url: str | None, base: str, branch: str) -> str:
    """What to tell a user who has no token: a compare link for github.com remotes, else `gh pr create`."""
    name = parse_remote_url(remote_url) if remote_url else None
    if remote_url and name and "github.com" in remote_url:
        return f"https://github.com/{name}/compare/{base}...{branch}?expand=1"
    return f"gh pr create --base {base} --head {branch}"


def connect(
    *,
    token: str | None = None,
    repository: str | None = None,
    base_url: str | None = None,
    remote_url: str | None = None,
    retry: RetryPolicy | None = None,
    env: Mapping[str, str] | None = None,
) -> GitHubRepo:
    """A handle on one repository. Token: argument or `GITHUB_TOKEN`; base URL: argument
    (config `github.base_url`, for Enterprise) or api.github.com."""
    env = os.environ if env is None else env
    token = token or env.get("GITHUB_TOKEN")
    if not token:
        raise MissingToken("no GitHub token: set GITHUB_TOKEN or pass --token")
    full_name = resolve_repository(repository, remote_url, env)
    client = Github(
        auth=Auth.Token(token),
        base_url=(base_url or DEFAULT_BASE_URL).rstrip("/"),
        retry=None,
        seconds_between_requests=None,
        seconds_between_writes=None,
        timeout=30,
    )
    handle = GitHubRepo(client, full_name, retry or RetryPolicy())
    handle.repo  # noqa: B018 - fail early on a wrong name, URL or token
    return handle


def connect_for(config: Config, token: str | None, base_url: str | None = None) -> GitHubRepo:
    """The GitHub repository of `config.root` (token: argument or GITHUB_TOKEN; raises MissingToken)."""
    return connect(
        token=token,
        base_url=base_url or config.get("github.base_url"),
        remote_url=git_remote_url(config.root),
    )


def no_token_message(root: Path, base: str, branch: str) -> str:
    """The sentence for a pushed branch without a PR: how to open it by hand."""
    hint = manual_pr_hint(git_remote_url(root), base, branch)
    return (
        "no GitHub token (set GITHUB_TOKEN or pass --token), so no pull request was opened; "
        f"open it with: {hint}"
    )
