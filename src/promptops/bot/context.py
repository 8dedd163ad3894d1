"""What every event handler of `promptops ci` shares: the Actions environment, the report,
the secret redactor and one lazily opened GitHub connection.

Secrets: every line printed, every comment or status posted and the step summary pass
through `Redactor`, which replaces the values of the token and model-key variables.
Nothing here formats a secret on purpose; the redactor is the guarantee that an error
message quoting a URL or a header cannot leak one either.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from promptops.config import Config
from promptops.github.connection import connect
from promptops.github.repository import GitHubRepo
from promptops.markdown import JOB_SUMMARY_LIMIT, truncate_to_limit

SECRET_VARIABLES = ("GITHUB_TOKEN", "ANTHROPIC_API_KEY", "OPENAI_API_KEY", "GH_TOKEN")


_MIN_SECRET_LENGTH = 6  # shorter values would redact ordinary words


@dataclass(frozen=True)
class CiEnvironment:
    """What GitHub Actions tells a step about its run (the variables it sets)."""

    event_name: str | None
    event_path: str | None
    repository: str | None
    token: str | None
    api_url: str | None
    step_summary: Path | None
    run_url: str | None
    runs_artifact: str | None = None  # the artifact the workflow uploads .promptops/runs/ as

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> CiEnvironment:
        server, run_id, repo = (
            env.get("GITHUB_SERVER_URL"),
            env.get("GITHUB_RUN_ID"),
            env.get("GITHUB_REPOSITORY"),
        )
        summary = env.get("GITHUB_STEP_SUMMARY")
        return cls(
            event_name=env.get("GITHUB_EVENT_NAME"),
            event_path=env.get("GITHUB_EVENT_PATH"),
            repository=repo or None,
            token=env.get("GITHUB_TOKEN") or None,
            api_url=env.get("GITHUB_API_URL") or None,
            step_summary=Path(summary) if summary else None,
            run_url=f"{server.rstrip('/')}/{repo}/actions/runs/{run_id}"
            if server and run_id and repo
            else None,
            runs_artifact=env.get("PROMPTOPS_RUNS_ARTIFACT") or None,
        )


class Redactor:
    """Replaces secret values (from the environment) with `***` in any text."""

    def __init__(self, values: list[str]) -> None:
        self.values = sorted({v for v in values if v and len(v) >= _MIN_SECRET_LENGTH}, key=len, reverse=True)

    @classmethod
    def from_env(cls, env: Mapping[str, str], config: Config) -> Redactor:
        names = {*SECRET_VARIABLES}
        for section in ("provider", "optimizer.provider"):
            value = config.get(section)
            if isinstance(value, dict) and value.get("api_key_env"):
                names.add(value["api_key_env"])
        return cls([env.get(name, "") for name in names])

    @classmethod
    def from_process_env(cls, env: Mapping[str, str]) -> Redactor:
        """Without a config (a crash may come before one loads): the known variables plus any
        variable whose name says it holds a key, token or secret."""
        names = {*SECRET_VARIABLES}
        names |= {n for n in env if n.upper().endswith(("_API_KEY", "_TOKEN", "_SECRET", "_PRIVATE_KEY"))}
        return cls([env.get(name, "") for name in names])

    def __call__(self, text: str) -> str:
        for value in self.values:
            text = text.replace(value, "***")
        return text


@dataclass
class CiReport:
    """What the run did: lines for the log, markdown for the job summary, the exit code."""

    lines: list[str] = field(default_factory=list)
    summary: list[str] = field(default_factory=list)
    exit_code: int = 0
    error: str | None = None
    outputs: dict[str, str] = field(default_factory=dict)  # step outputs ($GITHUB_OUTPUT) for later jobs

    def say(self, line: str, markdown: str | None = None) -> None:
        """A log line; also a summary paragraph (`markdown`, or the line itself)."""
        self.lines.append(line)
        self.summary.append(markdown if markdown is not None else line)


@dataclass
class CiContext:
    """Shared by the handlers: settings, environment, report, and the GitHub connection."""

    config: Config
    env: CiEnvironment
    report: CiReport
    redact: Redactor
    process_env: Mapping[str, str]
    _github: GitHubRepo | None = None

    @property
    def root(self) -> Path:
        return self.config.root

    @property
    def base_url(self) -> str | None:
        return self.config.get("github.base_url") or self.env.api_url

    def github(self) -> GitHubRepo:
        """The repository on GitHub, connected on first use (events with nothing to post never do)."""
        if self._github is None:
            self._github = connect(
                token=self.env.token,
                repository=self.env.repository,
                base_url=self.base_url,
                env=self.process_env,
            )
        return self._github

    def comment(self, issue_number: int, key: str, body: str | Callable[[str | None], str]) -> str:
        """Write (or edit) promptops' comment `key` on an issue or PR; returns its URL. `body`: the
        text, or a function of the bot's earlier comment's text (see `upsert_issue_comment`)."""
        redact = self.redact
        text = (lambda previous: redact(body(previous))) if callable(body) else redact(body)
        comment, _ = self.github().upsert_issue_comment(issue_number, key, text)
        return comment.html_url

    def status(self, sha: str, state: str, description: str) -> None:
        self.github().set_commit_status(sha, state, self.redact(description), self.env.run_url)


def append_step_outputs(path: Path, report: CiReport) -> None:
    """Append the step outputs to `$GITHUB_OUTPUT` (one `name=value` line each: values are one line)."""
    if not report.outputs:
        return
    with path.open("a", encoding="utf-8") as out:
        for name, value in report.outputs.items():
            out.write(f"{name}={value}\n")


def append_step_summary(path: Path, report: CiReport) -> None:
    """Append the report to `$GITHUB_STEP_SUMMARY` (Actions renders it on the run's page)."""
    if not report.summary:
        return
    text = truncate_to_limit("## promptops\n\n" + "\n\n".join(report.summary), JOB_SUMMARY_LIMIT)
    with path.open("a", encoding="utf-8") as out:
        out.write(text + "\n\n")
