"""Connecting to GitHub for one repository's settings, and what to say when we cannot.

Both `promptops pr` and `promptops rollback` push a branch first and open the pull request
second; without a token the branch is still useful, so the caller tells the user how to
open the PR by hand instead of failing.
"""

from __future__ import annotations

from pathlib import Path

from promptops.config import Config
from promptops.gitops import git as gitops
from promptops.gitops import github


def connect_for(config: Config, token: str | None, base_url: str | None = None) -> github.GitHubRepo:
    """The GitHub repository of `config.root` (token: argument or GITHUB_TOKEN; raises MissingToken)."""
    return github.connect(
        token=token,
        base_url=base_url or config.get("github.base_url"),
        remote_url=gitops.remote_url(config.root),
    )


def no_token_message(root: Path, base: str, branch: str) -> str:
    """The sentence for a pushed branch without a PR: how to open it by hand."""
    hint = github.manual_pr_hint(gitops.remote_url(root), base, branch)
    return (
        "no GitHub token (set GITHUB_TOKEN or pass --token), so no pull request was opened; "
        f"open it with: {hint}"
    )
