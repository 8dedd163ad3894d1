"""Event payloads shaped as GitHub sends them (fields and nesting of real webhook payloads).

Built rather than copied so each test can say which fields it varies; the structure
follows GitHub's webhook documentation: user and repository objects, `head`/`base` with
their own `repo`, `issue.pull_request` present only on pull requests.
"""

from __future__ import annotations

from typing import Any

OWNER = "octo-org"
NAME = "agents"
FULL = f"{OWNER}/{NAME}"


def user(login: str) -> dict[str, Any]:
    return {
        "login": login,
        "id": abs(hash(login)) % 10**8,
        "type": "User",
        "site_admin": False,
        "url": f"https://api.github.com/users/{login}",
        "html_url": f"https://github.com/{login}",
    }


def repository(full_name: str = FULL, default_branch: str = "main", fork: bool = False) -> dict[str, Any]:
    owner, name = full_name.split("/")
    return {
        "id": abs(hash(full_name)) % 10**9,
        "name": name,
        "full_name": full_name,
        "private": False,
        "owner": user(owner),
        "fork": fork,
        "default_branch": default_branch,
        "html_url": f"https://github.com/{full_name}",
        "url": f"https://api.github.com/repos/{full_name}",
        "clone_url": f"https://github.com/{full_name}.git",
    }


def pull_request(
    action: str,
    number: int,
    *,
    base_sha: str,
    head_sha: str,
    head_ref: str = "feature",
    base_ref: str = "main",
    draft: bool = False,
    head_repo: dict[str, Any] | None | str = "same",
    author: str = "alice",
    body: str | None = "Improve the prompt",
) -> dict[str, Any]:
    repo = repository()
    head_repository = repo if head_repo == "same" else head_repo
    pr = {
        "url": f"https://api.github.com/repos/{FULL}/pulls/{number}",
        "id": 1000 + number,
        "number": number,
        "state": "open",
        "locked": False,
        "title": "Update prompt",
        "user": user(author),
        "body": body,
        "draft": draft,
        "merged": False,
        "labels": [],
        "head": {
            "label": f"{OWNER}:{head_ref}",
            "ref": head_ref,
            "sha": head_sha,
            "user": user(OWNER),
            "repo": head_repository,
        },
        "base": {
            "label": f"{OWNER}:{base_ref}",
            "ref": base_ref,
            "sha": base_sha,
            "user": user(OWNER),
            "repo": repo,
        },
    }
    return {
        "action": action,
        "number": number,
        "pull_request": pr,
        "repository": repo,
        "sender": user(author),
    }


def issue_comment(
    body: str | None,
    *,
    number: int = 7,
    on_pr: bool = True,
    login: str = "alice",
    comment_id: int = 555,
    action: str = "created",
) -> dict[str, Any]:
    issue = {
        "url": f"https://api.github.com/repos/{FULL}/issues/{number}",
        "number": number,
        "title": "t",
        "user": user("bob"),
        "state": "open",
        "labels": [],
        "body": None,
    }
    if on_pr:
        issue["pull_request"] = {
            "url": f"https://api.github.com/repos/{FULL}/pulls/{number}",
            "html_url": f"https://github.com/{FULL}/pull/{number}",
        }
    comment = {
        "id": comment_id,
        "url": f"https://api.github.com/repos/{FULL}/issues/comments/{comment_id}",
        "body": body,
        "user": user(login),
        "author_association": "CONTRIBUTOR",
    }
    return {
        "action": action,
        "issue": issue,
        "comment": comment,
        "repository": repository(),
        "sender": user(login),
    }


def push(before: str, after: str, *, ref: str = "refs/heads/main", deleted: bool = False) -> dict[str, Any]:
    return {
        "ref": ref,
        "before": before,
        "after": after,
        "created": False,
        "deleted": deleted,
        "forced": False,
        "base_ref": None,
        "compare": f"https://github.com/{FULL}/compare/x...y",
        "commits": [],
        "head_commit": None if deleted else {"id": after, "message": "merge"},
        "repository": repository(),
        "pusher": {"name": "alice", "email": "a@example.com"},
        "sender": user("alice"),
    }


def schedule() -> dict[str, Any]:
    return {
        "schedule": "0 6 * * 1",
        "repository": repository(),
        "workflow": ".github/workflows/promptops.yml",
    }


def workflow_dispatch(inputs: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "inputs": inputs or {},
        "ref": "refs/heads/main",
        "repository": repository(),
        "sender": user("alice"),
        "workflow": ".github/workflows/promptops.yml",
    }


def issue_edited(
    number: int, body: str, before: str | None, *, login: str, author: str, title: str = "promptops dashboard"
) -> dict[str, Any]:
    """`issues: edited`: `changes.body.from` holds the body before the edit (absent when only
    the title changed)."""
    issue = {
        "url": f"https://api.github.com/repos/{FULL}/issues/{number}",
        "html_url": f"https://github.com/{FULL}/issues/{number}",
        "number": number,
        "title": title,
        "user": user(author),
        "state": "open",
        "labels": [{"name": "promptops"}],
        "body": body,
        "author_association": "NONE",
    }
    changes = {"body": {"from": before}} if before is not None else {"title": {"from": "old title"}}
    return {
        "action": "edited",
        "issue": issue,
        "changes": changes,
        "repository": repository(),
        "sender": user(login),
    }
