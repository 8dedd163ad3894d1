"""The issues endpoints of the GitHub stand-in: list (by state, creator, labels), create, get, update.

As on GitHub, issues and pull requests share one sequence of numbers, a pull request is
also an issue (listed with a `pull_request` object), and labels and comments hang off the
issue number. A mixin of `GitHubStandin`, kept apart so the server module stays readable.
"""

from __future__ import annotations

import time
from typing import Any

from tests.standins import openapi

Reply = tuple[int, Any, dict[str, str]]
DOCS = "https://docs.github.com/rest"


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


class IssuesMixin:
    """Needs from the stand-in: issues, pulls, issue_labels, _numbers, _ids, _api, _user,
    _label_json, _paginate, login, owner, name, url, _lock."""

    issues: dict[int, dict[str, Any]]

    def add_issue(self, title: str, body: str, login: str, labels: list[str] | None = None) -> int:
        """An issue opened by someone (a person, or a forger copying the bot's marker)."""
        with self._lock:  # type: ignore[attr-defined]
            _, payload, _ = self._create_issue(
                body={"title": title, "body": body, "labels": labels or []}, login=login
            )
        return int(payload["number"])

    def issue_body(self, number: int) -> str:
        return self.issues[number]["body"] or ""

    def _issue_json(self, number: int) -> dict[str, Any]:
        api, html = self._api, f"https://github.example/{self.owner}/{self.name}"  # type: ignore[attr-defined]
        if number in self.issues:
            issue = self.issues[number]
            extra: dict[str, Any] = {}
        else:  # a pull request, seen as an issue
            pr = self.pulls[number]  # type: ignore[attr-defined]
            issue = {**pr, "login": self.login}  # type: ignore[attr-defined]
            extra = {
                "pull_request": {
                    "url": api(f"/pulls/{number}"),
                    "html_url": f"{html}/pull/{number}",
                    "diff_url": f"{html}/pull/{number}.diff",
                    "patch_url": f"{html}/pull/{number}.patch",
                }
            }
        comments = sum(1 for c in self.comments.values() if c["issue"] == number)  # type: ignore[attr-defined]
        partial = {
            **{k: issue[k] for k in ("id", "number", "title", "body", "state", "created_at", "updated_at")},
            "closed_at": issue.get("closed_at"),
            "node_id": f"I_{issue['id']}",
            "url": api(f"/issues/{number}"),
            "html_url": f"{html}/issues/{number}",
            "repository_url": api(),
            "comments_url": api(f"/issues/{number}/comments"),
            "events_url": api(f"/issues/{number}/events"),
            "labels_url": api(f"/issues/{number}/labels{{/name}}"),
            "user": self._user(issue["login"]),  # type: ignore[attr-defined]
            "labels": [self._label_json(n) for n in self.issue_labels[number]],  # type: ignore[attr-defined]
            "comments": comments,
            "locked": False,
            "assignee": None,
            "milestone": None,
            "author_association": "MEMBER",
            **extra,
        }
        return openapi.complete("#/components/schemas/issue", partial, self.url)  # type: ignore[attr-defined]

    def _list_issues(self, query: dict[str, str], **_: Any) -> Reply:
        state = query.get("state", "open")
        wanted = {n for n in query.get("labels", "").split(",") if n}
        numbers = sorted({*self.issues, *self.pulls}, reverse=True)  # type: ignore[attr-defined]
        found = []
        for number in numbers:
            issue = self.issues.get(number) or {**self.pulls[number], "login": self.login}  # type: ignore[attr-defined]
            if state not in ("all", issue["state"]):
                continue
            if query.get("creator") not in (None, issue["login"]):
                continue
            if not wanted <= set(self.issue_labels[number]):  # type: ignore[attr-defined]
                continue
            found.append(number)
        page, links = self._paginate(found, query, "/issues")  # type: ignore[attr-defined]
        return 200, [self._issue_json(n) for n in page], links

    def _create_issue(self, body: dict[str, Any], login: str | None = None, **_: Any) -> Reply:
        if not str(body.get("title", "")).strip():
            return 422, {"message": "Validation Failed", "documentation_url": DOCS}, {}
        number = next(self._numbers)  # type: ignore[attr-defined]
        labels = [label if isinstance(label, str) else label["name"] for label in body.get("labels") or []]
        self.issue_labels[number] = list(dict.fromkeys(labels))  # type: ignore[attr-defined]
        self.issues[number] = {
            "id": next(self._ids),  # type: ignore[attr-defined]
            "number": number,
            "title": str(body["title"]),
            "body": body.get("body"),
            "state": "open",
            "login": login or self.login,  # type: ignore[attr-defined]
            "created_at": _now(),
            "updated_at": _now(),
            "closed_at": None,
        }
        return 201, self._issue_json(number), {"Location": self._api(f"/issues/{number}")}  # type: ignore[attr-defined]

    def _get_issue(self, issue_number: str, **_: Any) -> Reply:
        number = int(issue_number)
        if number not in self.issues and number not in self.pulls:  # type: ignore[attr-defined]
            return 404, {"message": "Not Found", "documentation_url": DOCS}, {}
        return 200, self._issue_json(number), {}

    def _update_issue(self, issue_number: str, body: dict[str, Any], **_: Any) -> Reply:
        issue = self.issues.get(int(issue_number))
        if issue is None:
            return 404, {"message": "Not Found", "documentation_url": DOCS}, {}
        for key in ("title", "body", "state"):
            if key in body:
                issue[key] = body[key]
        if "labels" in body:
            names = [label if isinstance(label, str) else label["name"] for label in body["labels"]]
            self.issue_labels[int(issue_number)] = names  # type: ignore[attr-defined]
        issue["closed_at"] = _now() if issue["state"] == "closed" else None
        issue["updated_at"] = _now()
        return 200, self._issue_json(int(issue_number)), {}
