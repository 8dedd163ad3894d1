"""A stateful GitHub REST stand-in on 127.0.0.1 that the real PyGithub talks to.

It keeps pull requests, issues (`github_issues`), issue comments, labels, commit statuses,
check runs, reactions and collaborator permissions in memory; branches and commits come from a
local bare repository (the `origin` promptops pushes to), so a PR's head sha is whatever was really pushed.

Honesty: every request body is validated against the operation's request schema, and every
response body against its response schema, from `github_openapi_subset.json` (GitHub's own
published description). Violations are collected in `violations`; the `github_standin` fixture
fails the test that caused any.

Faults: `inject(operation_id, status, ...)` makes the next N calls of an operation fail the way
GitHub fails (5xx, 404, 403 rate limit with `x-ratelimit-remaining: 0` / `x-ratelimit-reset`).
"""

from __future__ import annotations

import itertools
import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import git
import pytest

from tests.standins import openapi
from tests.standins.github_issues import IssuesMixin

COMMENT_LIMIT = 65536
DOCS = "https://docs.github.com/rest"
Reply = tuple[int, Any, dict[str, str]]


@dataclass
class Fault:
    operation: str
    status: int
    times: int
    headers: dict[str, str]
    message: str
    after_success: bool = False  # do the operation, then fail (a reply lost on the way back)


@dataclass
class Recorded:
    method: str
    path: str
    operation: str
    body: Any
    status: int


@dataclass
class Route:
    method: str
    pattern: re.Pattern[str]
    api_path: str  # the OpenAPI path template
    operation: str
    handler: Callable[..., Reply]


def _route(method: str, api_path: str, operation: str, handler: Callable[..., Reply]) -> Route:
    regex = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", api_path)
    return Route(method, re.compile(f"^{regex}$"), api_path, operation, handler)


@dataclass
class GitHubStandin(IssuesMixin):
    bare_repo: Path
    owner: str = "octo-org"
    name: str = "prompts"
    token: str = "test-token"
    login: str = "promptops-bot"
    validate: bool = True
    path_prefix: str = ""  # "/api/v3" serves the API the way GitHub Enterprise Server does
    collaborators: dict[str, str] = field(default_factory=dict)
    pulls: dict[int, dict[str, Any]] = field(default_factory=dict)
    issues: dict[int, dict[str, Any]] = field(default_factory=dict)  # issues that are not PRs
    comments: dict[int, dict[str, Any]] = field(default_factory=dict)
    issue_labels: dict[int, list[str]] = field(default_factory=dict)
    statuses: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    check_runs: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # head sha -> newest first
    reactions: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    requests: list[Recorded] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)
    url: str = ""
    latency_s: float = 0.0  # added to every request, as a round trip to api.github.com would

    def __post_init__(self) -> None:
        self._lock = threading.RLock()
        self._ids = itertools.count(1000)
        self._numbers = itertools.count(1)
        self._server: ThreadingHTTPServer | None = None
        self._repo_json: dict[str, Any] | None = None
        self.routes = self._routes()

    # ------------------------------------------------------------ lifecycle and faults

    def start(self) -> GitHubStandin:
        standin = self

        class Handler(_Handler):
            pass

        Handler.standin = standin
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}{self.path_prefix}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()

    def inject(
        self,
        operation: str,
        status: int,
        *,
        times: int = 1,
        headers: dict[str, str] | None = None,
        message: str | None = None,
        after_success: bool = False,
    ) -> None:
        """Fail the next `times` calls of `operation` (an OpenAPI operationId) with `status`;
        with `after_success` the operation happens first and only the reply is an error."""
        default = {404: "Not Found", 422: "Validation Failed"}.get(status, "Server Error")
        headers = dict(headers or {})
        self.faults.append(Fault(operation, status, times, headers, message or default, after_success))

    def rate_limit(self, operation: str, *, reset_in: float = 1.0, times: int = 1) -> None:
        """GitHub's primary rate limit: 403, remaining 0, reset at an epoch second."""
        headers = {
            "x-ratelimit-limit": "5000",
            "x-ratelimit-remaining": "0",
            "x-ratelimit-reset": str(int(time.time() + reset_in)),
        }
        self.inject(
            operation, 403, times=times, headers=headers, message="API rate limit exceeded for user ID 1."
        )

    def calls(self, operation: str) -> list[Recorded]:
        return [r for r in self.requests if r.operation == operation]

    # ------------------------------------------------------------ dispatch

    def _routes(self) -> list[Route]:
        r = "/repos/{owner}/{repo}"
        return [
            _route("GET", "/user", "users/get-authenticated", self._get_user),
            _route("GET", r, "repos/get", self._get_repo),
            _route("GET", r + "/pulls", "pulls/list", self._list_pulls),
            _route("POST", r + "/pulls", "pulls/create", self._create_pull),
            _route("GET", r + "/pulls/{pull_number}", "pulls/get", self._get_pull),
            _route("PATCH", r + "/pulls/{pull_number}", "pulls/update", self._update_pull),
            _route("GET", r + "/issues", "issues/list-for-repo", self._list_issues),
            _route("POST", r + "/issues", "issues/create", self._create_issue),
            _route("GET", r + "/issues/{issue_number}", "issues/get", self._get_issue),
            _route("PATCH", r + "/issues/{issue_number}", "issues/update", self._update_issue),
            _route("GET", r + "/issues/{issue_number}/comments", "issues/list-comments", self._list_comments),
            _route(
                "POST", r + "/issues/{issue_number}/comments", "issues/create-comment", self._create_comment
            ),
            _route("GET", r + "/issues/comments/{comment_id}", "issues/get-comment", self._get_comment),
            _route(
                "PATCH", r + "/issues/comments/{comment_id}", "issues/update-comment", self._update_comment
            ),
            _route(
                "POST",
                r + "/issues/comments/{comment_id}/reactions",
                "reactions/create-for-issue-comment",
                self._create_reaction,
            ),
            _route(
                "GET", r + "/issues/{issue_number}/labels", "issues/list-labels-on-issue", self._list_labels
            ),
            _route("POST", r + "/issues/{issue_number}/labels", "issues/add-labels", self._add_labels),
            _route("POST", r + "/statuses/{sha}", "repos/create-commit-status", self._create_status),
            _route("POST", r + "/check-runs", "checks/create", self._create_check_run),
            _route(
                "GET", r + "/commits/{ref}/status", "repos/get-combined-status-for-ref", self._combined_status
            ),
            _route(
                "GET",
                r + "/collaborators/{username}/permission",
                "repos/get-collaborator-permission-level",
                self._permission,
            ),
        ]

    def handle(self, method: str, raw_path: str, headers: dict[str, str], body: Any) -> tuple[int, Any, dict]:
        parts = urlsplit(raw_path)
        if self.path_prefix and not parts.path.startswith(self.path_prefix + "/"):
            return 404, {"message": "Not Found", "documentation_url": DOCS}, {}
        parts = parts._replace(path=parts.path.removeprefix(self.path_prefix))
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        route, params = self._match(method, parts.path)
        if route is None:
            return 404, {"message": "Not Found", "documentation_url": DOCS}, {}
        self._check_request(route, body)
        status, payload, extra = self._respond(route, params, query, headers, body)
        self._check_response(route, status, payload)
        with self._lock:
            self.requests.append(Recorded(method, parts.path, route.operation, body, status))
        return status, payload, extra

    def _match(self, method: str, path: str) -> tuple[Route | None, dict[str, str]]:
        for route in self.routes:
            found = route.pattern.match(path)
            if route.method == method and found:
                return route, {k: unquote(v) for k, v in found.groupdict().items()}
        return None, {}

    def _respond(self, route: Route, params: dict, query: dict, headers: dict, body: Any) -> Reply:
        auth = headers.get("authorization", "")
        if auth.split(" ", 1)[-1] != self.token:
            return 401, {"message": "Bad credentials", "documentation_url": DOCS}, {}
        fault = self._take_fault(route.operation)
        if fault and not fault.after_success:
            return fault.status, {"message": fault.message, "documentation_url": DOCS}, fault.headers
        if "owner" in params and (params["owner"], params["repo"]) != (self.owner, self.name):
            return _not_found()
        args = {k: v for k, v in params.items() if k not in ("owner", "repo")}
        with self._lock:
            reply = route.handler(query=query, body=body, **args)
        if fault:
            return fault.status, {"message": fault.message, "documentation_url": DOCS}, fault.headers
        return reply

    def _take_fault(self, operation: str) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if fault.operation == operation and fault.times > 0:
                    fault.times -= 1
                    return fault
        return None

    def _check_request(self, route: Route, body: Any) -> None:
        pointer = openapi.request_schema_pointer(route.api_path, route.method.lower())
        if not self.validate or pointer is None or body is None:
            return
        for problem in openapi.validate(pointer, body):
            self.violations.append(f"request {route.operation}: {problem}")

    def _check_response(self, route: Route, status: int, payload: Any) -> None:
        if not self.validate or payload is None:
            return
        pointer = openapi.response_schema_pointer(route.api_path, route.method.lower(), status)
        for problem in openapi.validate(pointer, payload):
            self.violations.append(f"response {route.operation} {status}: {problem}")

    # ------------------------------------------------------------ git (the bare repository)

    def _git(self) -> git.Git:
        return git.Git(str(self.bare_repo))

    def branch_sha(self, branch: str) -> str | None:
        try:
            return self._git().rev_parse("--verify", "--quiet", f"refs/heads/{branch}^{{commit}}")
        except git.GitCommandError:
            return None

    def commit_exists(self, sha: str) -> bool:
        try:
            self._git().cat_file("-e", f"{sha}^{{commit}}")
            return True
        except git.GitCommandError:
            return False

    def default_branch(self) -> str:
        return self._git().symbolic_ref("HEAD").removeprefix("refs/heads/")

    # ------------------------------------------------------------ JSON builders

    def _api(self, suffix: str = "") -> str:
        return f"{self.url}/repos/{self.owner}/{self.name}{suffix}"

    def _user(self, login: str, user_id: int = 1) -> dict[str, Any]:
        return {
            "login": login,
            "id": user_id,
            "type": "User",
            "url": f"{self.url}/users/{login}",
            "html_url": f"https://github.example/{login}",
        }

    def repo_json(self) -> dict[str, Any]:
        if self._repo_json is None:
            partial = {
                "id": 1,
                "name": self.name,
                "full_name": f"{self.owner}/{self.name}",
                "owner": self._user(self.owner, 2),
                "private": True,
                "url": self._api(),
                "html_url": f"https://github.example/{self.owner}/{self.name}",
                "default_branch": self.default_branch(),
                "created_at": openapi.PLACEHOLDER_TIME,
                "updated_at": openapi.PLACEHOLDER_TIME,
                "pushed_at": openapi.PLACEHOLDER_TIME,
            }
            self._repo_json = openapi.complete("#/components/schemas/full-repository", partial, self.url)
        return json.loads(json.dumps(self._repo_json))

    def _label_json(self, name: str) -> dict[str, Any]:
        return {
            "id": abs(hash(name)) % 10**9,
            "node_id": f"L_{name}",
            "url": self._api(f"/labels/{name}"),
            "name": name,
            "description": "",
            "color": "ededed",
            "default": False,
        }

    def _pull_json(self, pr: dict[str, Any], simple: bool = False) -> dict[str, Any]:
        number = pr["number"]
        head_sha = self.branch_sha(pr["head"]) or pr["head_sha"]
        partial = {
            **{
                k: pr[k]
                for k in ("id", "number", "state", "title", "body", "created_at", "updated_at", "draft")
            },
            "url": self._api(f"/pulls/{number}"),
            "node_id": f"PR_{pr['id']}",
            "html_url": f"https://github.example/{self.owner}/{self.name}/pull/{number}",
            "issue_url": self._api(f"/issues/{number}"),
            "comments_url": self._api(f"/issues/{number}/comments"),
            "statuses_url": self._api(f"/statuses/{head_sha}"),
            "commits_url": self._api(f"/pulls/{number}/commits"),
            "user": self._user(self.login),
            "labels": [self._label_json(n) for n in self.issue_labels[number]],
            "head": self._ref_json(pr["head"], head_sha),
            "base": self._ref_json(pr["base"], pr["base_sha"]),
            "locked": False,
            "merged": False,
            "closed_at": pr.get("closed_at"),
            "merged_at": None,
        }
        pointer = "pull-request-simple" if simple else "pull-request"
        return openapi.complete(f"#/components/schemas/{pointer}", partial, self.url)

    def _ref_json(self, branch: str, sha: str) -> dict[str, Any]:
        return {
            "label": f"{self.owner}:{branch}",
            "ref": branch,
            "sha": sha,
            "user": self._user(self.owner, 2),
            "repo": self.repo_json(),
        }

    def _comment_json(self, comment: dict[str, Any]) -> dict[str, Any]:
        partial = {
            **{k: comment[k] for k in ("id", "body", "created_at", "updated_at")},
            "node_id": f"IC_{comment['id']}",
            "url": self._api(f"/issues/comments/{comment['id']}"),
            "html_url": f"https://github.example/{self.owner}/{self.name}/issues/{comment['issue']}"
            f"#issuecomment-{comment['id']}",
            "issue_url": self._api(f"/issues/{comment['issue']}"),
            "user": self._user(comment["login"]),
            "author_association": "MEMBER",
        }
        return openapi.complete("#/components/schemas/issue-comment", partial, self.url)

    # ------------------------------------------------------------ handlers

    def _get_user(self, **_: Any) -> Reply:
        partial = {
            **self._user(self.login),
            "user_view_type": "private",
            "created_at": openapi.PLACEHOLDER_TIME,
            "updated_at": openapi.PLACEHOLDER_TIME,
        }
        return 200, openapi.complete("#/components/schemas/private-user", partial, self.url), {}

    def _get_repo(self, **_: Any) -> Reply:
        return 200, self.repo_json(), {}

    def _list_pulls(self, query: dict[str, str], **_: Any) -> Reply:
        state = query.get("state", "open")
        found = [
            pr
            for pr in sorted(self.pulls.values(), key=lambda p: -p["number"])
            if state in ("all", pr["state"])
            and query.get("head") in (None, f"{self.owner}:{pr['head']}")
            and query.get("base") in (None, pr["base"])
        ]
        page, links = self._paginate(found, query, "/pulls")
        return 200, [self._pull_json(pr, simple=True) for pr in page], links

    def _create_pull(self, body: dict[str, Any], **_: Any) -> Reply:
        head = body.get("head", "").split(":", 1)[-1]
        base = body.get("base", "")
        head_sha, base_sha = self.branch_sha(head), self.branch_sha(base)
        if head_sha is None:
            return _invalid("PullRequest", "head")
        if base_sha is None:
            return _invalid("PullRequest", "base")
        if any(p["head"] == head and p["base"] == base and p["state"] == "open" for p in self.pulls.values()):
            return _custom("PullRequest", f"A pull request already exists for {self.owner}:{head}.")
        if head_sha == base_sha:
            return _custom("PullRequest", f"No commits between {base} and {head}")
        if len(body.get("body") or "") > COMMENT_LIMIT:
            return _too_long("PullRequest")
        number = next(self._numbers)
        self.issue_labels[number] = []
        self.pulls[number] = {
            "id": next(self._ids),
            "number": number,
            "state": "open",
            "title": body.get("title", ""),
            "body": body.get("body"),
            "head": head,
            "base": base,
            "head_sha": head_sha,
            "base_sha": base_sha,
            "draft": bool(body.get("draft", False)),
            "created_at": _now(),
            "updated_at": _now(),
        }
        return 201, self._pull_json(self.pulls[number]), {"Location": self._api(f"/pulls/{number}")}

    def _get_pull(self, pull_number: str, **_: Any) -> Reply:
        pr = self.pulls.get(int(pull_number))
        return (200, self._pull_json(pr), {}) if pr else _not_found()

    def _update_pull(self, pull_number: str, body: dict[str, Any], **_: Any) -> Reply:
        pr = self.pulls.get(int(pull_number))
        if pr is None:
            return _not_found()
        if len(body.get("body") or "") > COMMENT_LIMIT:
            return _too_long("PullRequest")
        for key in ("title", "body", "state", "base"):
            if key in body:
                pr[key] = body[key]
        pr["closed_at"] = _now() if pr["state"] == "closed" else None
        pr["updated_at"] = _now()
        return 200, self._pull_json(pr), {}

    def _list_comments(self, issue_number: str, query: dict[str, str], **_: Any) -> Reply:
        if int(issue_number) not in self.issue_labels:
            return _not_found()
        found = [c for c in self.comments.values() if c["issue"] == int(issue_number)]
        page, links = self._paginate(found, query, f"/issues/{issue_number}/comments")
        return 200, [self._comment_json(c) for c in page], links

    def _create_comment(
        self, issue_number: str, body: dict[str, Any], login: str | None = None, **_: Any
    ) -> Reply:
        if int(issue_number) not in self.issue_labels:
            return _not_found()
        if len(body.get("body", "")) > COMMENT_LIMIT:
            return _too_long("IssueComment")
        comment = {
            "id": next(self._ids),
            "issue": int(issue_number),
            "body": body["body"],
            "login": login or self.login,
            "created_at": _now(),
            "updated_at": _now(),
        }
        self.comments[comment["id"]] = comment
        return 201, self._comment_json(comment), {}

    def add_comment(self, issue_number: int, body: str, login: str) -> int:
        """A comment by someone else (a human), as a test's starting state."""
        with self._lock:
            _, payload, _ = self._create_comment(str(issue_number), {"body": body}, login=login)
        return int(payload["id"])

    def _get_comment(self, comment_id: str, **_: Any) -> Reply:
        comment = self.comments.get(int(comment_id))
        return (200, self._comment_json(comment), {}) if comment else _not_found()

    def _update_comment(self, comment_id: str, body: dict[str, Any], **_: Any) -> Reply:
        comment = self.comments.get(int(comment_id))
        if comment is None:
            return _not_found()
        if len(body.get("body", "")) > COMMENT_LIMIT:
            return _too_long("IssueComment")
        comment.update(body=body["body"], updated_at=_now())
        return 200, self._comment_json(comment), {}

    def _create_reaction(self, comment_id: str, body: dict[str, Any], **_: Any) -> Reply:
        if int(comment_id) not in self.comments:
            return _not_found()
        existing = self.reactions.setdefault(int(comment_id), [])
        for reaction in existing:
            if reaction["content"] == body["content"]:
                return 200, reaction, {}
        reaction = openapi.complete(
            "#/components/schemas/reaction",
            {
                "id": next(self._ids),
                "node_id": "R_1",
                "user": self._user(self.login),
                "content": body["content"],
                "created_at": _now(),
            },
            self.url,
        )
        existing.append(reaction)
        return 201, reaction, {}

    def _list_labels(self, issue_number: str, **_: Any) -> Reply:
        names = self.issue_labels.get(int(issue_number))
        return (200, [self._label_json(n) for n in names], {}) if names is not None else _not_found()

    def _add_labels(self, issue_number: str, body: Any, **_: Any) -> Reply:
        names = self.issue_labels.get(int(issue_number))
        if names is None:
            return _not_found()
        wanted = body.get("labels", []) if isinstance(body, dict) else body
        wanted = [wanted] if isinstance(wanted, str) else wanted
        for label in wanted:
            name = label["name"] if isinstance(label, dict) else label
            if name not in names:
                names.append(name)
        return 200, [self._label_json(n) for n in names], {}

    def _create_status(self, sha: str, body: dict[str, Any], **_: Any) -> Reply:
        if not self.commit_exists(sha):
            return _custom("Status", f"No commit found for SHA: {sha}")
        status = {
            "id": next(self._ids),
            "node_id": "SC_1",
            "url": self._api(f"/statuses/{sha}"),
            "avatar_url": None,
            "state": body["state"],
            "description": body.get("description"),
            "target_url": body.get("target_url"),
            "context": body.get("context", "default"),
            "created_at": _now(),
            "updated_at": _now(),
            "creator": self._user(self.login),
        }
        self.statuses.setdefault(sha, []).insert(
            0, openapi.complete("#/components/schemas/status", status, self.url)
        )
        return 201, self.statuses[sha][0], {}

    def _create_check_run(self, body: dict[str, Any], **_: Any) -> Reply:
        sha = body["head_sha"]
        if not self.commit_exists(sha):
            return _custom("CheckRun", f"No commit found for SHA: {sha}")
        conclusion = body.get("conclusion")
        run_id = next(self._ids)
        run = {
            "id": run_id,
            "head_sha": sha,
            "node_id": f"CR_{run_id}",
            "external_id": body.get("external_id", ""),
            "url": self._api(f"/check-runs/{run_id}"),
            "html_url": f"https://github.example/{self.owner}/{self.name}/runs/{run_id}",
            "details_url": body.get("details_url"),
            "status": "completed" if conclusion else body.get("status", "queued"),
            "conclusion": conclusion,
            "started_at": body.get("started_at", _now()),
            "completed_at": body.get("completed_at", _now()) if conclusion else None,
            "output": {
                "title": (body.get("output") or {}).get("title"),
                "summary": (body.get("output") or {}).get("summary"),
                "text": (body.get("output") or {}).get("text"),
                "annotations_count": 0,
                "annotations_url": self._api(f"/check-runs/{run_id}/annotations"),
            },
            "name": body["name"],
            "check_suite": {"id": 1},
            "app": None,
            "pull_requests": [],
        }
        run = openapi.complete("#/components/schemas/check-run", run, self.url)
        self.check_runs.setdefault(sha, []).insert(0, run)
        return 201, run, {}

    def latest_check_runs(self, sha: str) -> dict[str, dict[str, Any]]:
        """name -> the newest check run of that name on `sha`."""
        latest: dict[str, dict[str, Any]] = {}
        for run in self.check_runs.get(sha, []):
            latest.setdefault(run["name"], run)
        return latest

    def latest_statuses(self, sha: str) -> dict[str, dict[str, Any]]:
        latest: dict[str, dict[str, Any]] = {}
        for status in self.statuses.get(sha, []):
            latest.setdefault(status["context"], status)
        return latest

    def _combined_status(self, ref: str, **_: Any) -> Reply:
        sha = self.branch_sha(ref) or (ref if self.commit_exists(ref) else None)
        if sha is None:
            return _not_found()
        latest = list(self.latest_statuses(sha).values())
        states = {s["state"] for s in latest}
        state = (
            "failure"
            if states & {"failure", "error"}
            else "pending"
            if "pending" in states or not latest
            else "success"
        )
        partial = {
            "state": state,
            "sha": sha,
            "total_count": len(latest),
            "repository": self.repo_json(),
            "commit_url": self._api(f"/commits/{sha}"),
            "url": self._api(f"/commits/{sha}/status"),
            "statuses": [_simple_status(s) for s in latest],
        }
        return 200, openapi.complete("#/components/schemas/combined-commit-status", partial, self.url), {}

    def _permission(self, username: str, **_: Any) -> Reply:
        permission = self.collaborators.get(username, "none")
        partial = {
            "permission": permission,
            "role_name": permission,
            "user": {
                **self._user(username, 7),
                "permissions": {
                    "admin": permission == "admin",
                    "push": permission in ("write", "maintain", "admin"),
                    "pull": permission != "none",
                },
            },
        }
        return (
            200,
            openapi.complete("#/components/schemas/repository-collaborator-permission", partial, self.url),
            {},
        )

    def _paginate(
        self, items: list[Any], query: dict[str, str], suffix: str
    ) -> tuple[list[Any], dict[str, str]]:
        per_page = min(int(query.get("per_page", 30)), 100)
        page = max(int(query.get("page", 1)), 1)
        last = max((len(items) + per_page - 1) // per_page, 1)
        links = {}
        if page < last:
            extra = "&".join(f"{k}={v}" for k, v in query.items() if k not in ("page", "per_page"))
            base = f"{self._api(suffix)}?per_page={per_page}&{extra}".rstrip("&")
            links["Link"] = f'<{base}&page={page + 1}>; rel="next", <{base}&page={last}>; rel="last"'
        return items[(page - 1) * per_page : page * per_page], links


def _simple_status(status: dict[str, Any]) -> dict[str, Any]:
    keys = (
        "url",
        "avatar_url",
        "id",
        "node_id",
        "state",
        "description",
        "target_url",
        "context",
        "created_at",
        "updated_at",
    )
    return {k: status[k] for k in keys}


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def _not_found() -> Reply:
    return 404, {"message": "Not Found", "documentation_url": DOCS}, {}


def _validation_failed(errors: list[dict[str, Any]]) -> Reply:
    return 422, {"message": "Validation Failed", "errors": errors, "documentation_url": DOCS}, {}


def _invalid(resource: str, field_name: str) -> Reply:
    return _validation_failed([{"resource": resource, "field": field_name, "code": "invalid"}])


def _custom(resource: str, message: str) -> Reply:
    return _validation_failed([{"resource": resource, "code": "custom", "message": message}])


def _too_long(resource: str) -> Reply:
    return _validation_failed(
        [
            {
                "resource": resource,
                "code": "custom",
                "field": "body",
                "message": f"body is too long (maximum is {COMMENT_LIMIT} characters)",
            }
        ]
    )


class _Handler(BaseHTTPRequestHandler):
    standin: GitHubStandin
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - signature fixed by the stdlib
        pass

    def _serve(self) -> None:
        if self.standin.latency_s:
            time.sleep(self.standin.latency_s)
        length = int(self.headers.get("content-length") or 0)
        raw = self.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        try:
            body = json.loads(raw) if raw.strip() else None
        except json.JSONDecodeError:
            status, payload, extra = 400, {"message": "Problems parsing JSON", "documentation_url": DOCS}, {}
            self.standin.violations.append(f"request {self.command} {self.path}: body is not JSON")
        else:
            status, payload, extra = self.standin.handle(self.command, self.path, headers, body)
        data = json.dumps(payload).encode() if payload is not None else b""
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for key, value in extra.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _serve


@pytest.fixture
def github_standin(repo: Path) -> Iterator[GitHubStandin]:
    """The stand-in serving `octo-org/prompts`, backed by the `repo` fixture's bare origin."""
    standin = GitHubStandin(bare_repo=repo.parent / "origin.git").start()
    try:
        yield standin
    finally:
        standin.stop()
    assert not standin.violations, "GitHub schema violations:\n" + "\n".join(standin.violations)
