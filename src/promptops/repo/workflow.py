"""The caller workflow `promptops init --github` writes into a user's repository.

Two shapes, both pinned so the workflow runs exactly reviewed code:

- with `uses` (`OWNER/REPO@<40-hex commit>`), every job runs promptops' composite action
  at that commit; the action installs promptops from its own checkout;
- without it, every job installs exactly this version of the distribution
  (`promptops-bot==VERSION`) and runs `promptops ci`.

One job per kind of event, each with the least permissions it needs and its own
concurrency rule (see JOBS); the caller grants nothing at the top level. The model key is
passed explicitly (`secrets: inherit` would hand over every secret). Comments from people
without an OWNER/MEMBER/COLLABORATOR association never start a job; promptops still checks
the commenter's repository permission through the API, which is the real gate.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from promptops import __version__
from promptops.errors import InputError

WORKFLOW_PATH = ".github/workflows/promptops.yml"
DISTRIBUTION = "promptops-bot"
PYTHON_VERSION = "3.11"
EXAMPLE_USES = "my-org/promptops@0123456789abcdef0123456789abcdef01234567"

# Third-party actions, pinned by full commit SHA (the tag is a comment; Dependabot and
# Renovate update both together).
CHECKOUT = "actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683  # v4.2.2"
SETUP_PYTHON = "actions/setup-python@a26af69be951a213d495a4c3e4e4022e16d87065  # v5.6.0"
APP_TOKEN = "actions/create-github-app-token@df432ceedc7162793a195dd1713ff69aefc7379e  # v2.0.6"

# The identity an App token acts as (empty without an App: the bot then resolves its own).
_APP_LOGIN = (
    "${{ steps.app-token.outputs.app-slug && format('{0}[bot]', steps.app-token.outputs.app-slug) || '' }}"
)
_SHA_PIN = re.compile(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}")
_TAG_PIN = re.compile(r"[\w.-]+/[\w.-]+@[\w.-]+(?:/[\w.-]+)*")


@dataclass(frozen=True)
class Job:
    """One job of the caller workflow: which events start it and what it may do."""

    name: str
    condition: str
    permissions: tuple[tuple[str, str], ...]
    concurrency_group: str
    cancel_in_progress: bool
    app_token: bool  # may open pull requests, so a GitHub App token (when configured) is used
    model_key: bool = True  # recording a deployment calls no model: that job never sees the key


_COMMENT_FROM_MAINTAINER = (
    "github.event_name == 'issue_comment' && startsWith(github.event.comment.body, '/promptops') "
    '&& contains(fromJSON(\'["OWNER", "MEMBER", "COLLABORATOR"]\'), '
    "github.event.comment.author_association)"
)

JOBS: tuple[Job, ...] = (
    # Judging a PR writes only its check, status and comment: no contents: write. A new push
    # to the PR cancels the evaluation it supersedes, and nothing else.
    # Also the re-run box of a bot PR (`edited`, only when the box is ticked, so editing a
    # description never cancels a running evaluation).
    Job(
        "evaluate",
        "github.event_name == 'pull_request' && github.event.action != 'closed' "
        "&& (github.event.action != 'edited' "
        "|| contains(github.event.pull_request.body, '- [x] <!-- promptops:rerun-eval -->'))",
        (
            ("contents", "read"),
            ("checks", "write"),
            ("statuses", "write"),
            ("pull-requests", "write"),
            ("issues", "write"),
        ),
        "promptops-evaluate-${{ github.event.pull_request.number }}",
        True,
        False,
    ),
    # One group per comment: a command is never cancelled, by a push or by another command.
    Job(
        "command",
        _COMMENT_FROM_MAINTAINER,
        (
            ("contents", "write"),
            ("checks", "write"),
            ("statuses", "write"),
            ("pull-requests", "write"),
            ("issues", "write"),
        ),
        "promptops-command-${{ github.event.comment.id }}",
        False,
        True,
    ),
    # An optimize PR closed unmerged: "no" is recorded as a git note (contents: write), the PR
    # gets one comment. No model is called.
    Job(
        "declined",
        "github.event_name == 'pull_request' && github.event.action == 'closed'",
        (("contents", "write"), ("pull-requests", "write"), ("issues", "write")),
        "promptops-declined-${{ github.event.pull_request.number }}",
        False,
        False,
        model_key=False,
    ),
    # Every push is its own deployment record: keyed by SHA, never cancelled. Then the
    # dashboard issue is refreshed (issues: write, and reading the open PRs it lists), as the
    # same identity that opens it on schedule (the App token when there is one).
    Job(
        "deploy",
        "github.event_name == 'push'",
        (("contents", "write"), ("issues", "write"), ("pull-requests", "read")),
        "promptops-deploy-${{ github.sha }}",
        False,
        True,
        model_key=False,
    ),
    # A box ticked in the dashboard issue runs as the /promptops command it names (optimize
    # opens a PR: a command's permissions). Only edits of an issue whose body starts with the
    # dashboard marker start it; promptops checks the author and the editor's
    # permission through the API. Ticks of one issue run one after the other.
    Job(
        "dashboard",
        "github.event_name == 'issues' && github.event.action == 'edited' "
        "&& startsWith(github.event.issue.body, '<!-- promptops:dashboard -->')",
        (
            ("contents", "write"),
            ("checks", "write"),
            ("statuses", "write"),
            ("pull-requests", "write"),
            ("issues", "write"),
        ),
        "promptops-dashboard-${{ github.event.issue.number }}",
        False,
        True,
    ),
    Job(
        "optimize",
        "github.event_name == 'schedule' || github.event_name == 'workflow_dispatch'",
        (
            ("contents", "write"),
            ("checks", "write"),
            ("statuses", "write"),
            ("pull-requests", "write"),
            ("issues", "write"),
        ),
        "promptops-optimize",
        False,
        True,
    ),
)

_HEADER = """\
# promptops: evaluates prompt changes on pull requests, runs /promptops commands from
# comments and from the boxes of its dashboard issue, records deployments on pushes to
# {branch}, and optimizes prompts on a schedule.
# Written by `promptops init --github`. Reference: docs/github-actions.md ("Security model").
# Needs the repository secret ANTHROPIC_API_KEY (Settings > Secrets and variables > Actions).
# Optional: a GitHub App (secrets PROMPTOPS_APP_ID and PROMPTOPS_APP_PRIVATE_KEY) so the
# pull requests it opens start your other workflows.
name: promptops

on:
  pull_request:
    # closed: an unmerged optimize PR means "do not propose it again"; edited: the re-run box
    types: [opened, synchronize, reopened, ready_for_review, closed, edited]
    paths:
      - "{prompts_dir}/**"
      - ".promptops.yaml"
  issue_comment:
    types: [created]
  issues:
    types: [edited]  # a box ticked in the promptops dashboard issue
  push:
    branches: [{branch}]
    paths:
      - "{prompts_dir}/**"
  schedule:
    - cron: "0 6 * * 1"  # Mondays 06:00 UTC: schedule.prompts and agents below schedule.min_pass_rate
  workflow_dispatch:

# Nothing by default; each job asks for what it needs.
permissions: {{}}

jobs:
"""

_CHECKOUT_STEP = f"""\
      - uses: {CHECKOUT}
        with:
          fetch-depth: 0  # version numbers, merge bases and notes need the history
          persist-credentials: false  # the token reaches only the promptops step
"""

_APP_TOKEN_STEP = f"""\
      - name: GitHub App token (when the secret PROMPTOPS_APP_ID is set)
        id: app-token
        if: env.PROMPTOPS_APP_ID != ''
        uses: {APP_TOKEN}
        with:
          app-id: ${{{{ env.PROMPTOPS_APP_ID }}}}
          private-key: ${{{{ secrets.PROMPTOPS_APP_PRIVATE_KEY }}}}
"""

_ACTION_STEP = """\
      - uses: {uses}
        with:
          github-token: {token}
{login}{key}"""

_INSTALL_STEPS = """\
      - uses: {setup_python}
        with:
          python-version: "{python}"
      - name: Install promptops (exactly this version)
        run: python -m pip install "{requirement}"
      - name: Run promptops for this event
        env:
          GITHUB_TOKEN: {token}
{login}{key}        run: |
          # git authenticates through environment-only config: nothing lands in .git/config.
          auth="$(printf 'x-access-token:%s' "$GITHUB_TOKEN" | base64 -w0)"
          echo "::add-mask::$auth"
          export GIT_CONFIG_COUNT=1
          export GIT_CONFIG_KEY_0="http.${{GITHUB_SERVER_URL}}/.extraheader"
          export GIT_CONFIG_VALUE_0="AUTHORIZATION: basic $auth"
          git fetch --quiet origin "refs/notes/promptops:refs/notes/promptops" || true
          promptops ci
"""


@dataclass(frozen=True)
class CallerWorkflow:
    """The text to write and, for a tag pin, the warning to show."""

    text: str
    warning: str | None = None


def check_action_ref(uses: str, *, allow_tag: bool = False) -> str | None:
    """Validate `OWNER/REPO@SHA`; returns a warning for an allowed tag, raises InputError otherwise."""
    if _SHA_PIN.fullmatch(uses):
        return None
    if not _TAG_PIN.fullmatch(uses) or "/.github/workflows/" in uses:
        raise InputError(
            f"--uses {uses!r}: expected OWNER/REPO@SHA, the promptops action pinned by a full "
            f"40-hex commit SHA (for example {EXAMPLE_USES})"
        )
    if not allow_tag:
        raise InputError(
            f"--uses {uses!r}: a tag or branch can be moved to other code; pin a full 40-hex "
            "commit SHA (OWNER/REPO@SHA), or pass --allow-tag to accept the risk"
        )
    return (
        f"warning: {uses} is pinned by a mutable tag or branch: whoever can move it decides what "
        "runs with your token and model key; prefer OWNER/REPO@<40-hex commit SHA>"
    )


def render_caller_workflow(
    *,
    uses: str | None = None,
    allow_tag: bool = False,
    branch: str = "main",
    prompts_dir: str = "prompts",
    version: str = __version__,
) -> CallerWorkflow:
    """The workflow file: the action at `uses` in every job, or `promptops-bot==version` installed."""
    warning = check_action_ref(uses, allow_tag=allow_tag) if uses is not None else None
    prompts = prompts_dir.strip("/").removeprefix("./") or "*"
    parts = [_HEADER.format(branch=branch, prompts_dir=prompts)]
    for job in JOBS:
        parts.append(_job_text(job, uses, version))
    return CallerWorkflow("\n".join(parts), warning)


def _job_text(job: Job, uses: str | None, version: str) -> str:
    permissions = "".join(f"      {scope}: {level}\n" for scope, level in job.permissions)
    head = (
        f"  {job.name}:\n"
        f"    if: {job.condition}\n"
        "    runs-on: ubuntu-latest\n"
        "    timeout-minutes: 60\n"
        f"    permissions:\n{permissions}"
        "    concurrency:\n"
        f"      group: {job.concurrency_group}\n"
        f"      cancel-in-progress: {'true' if job.cancel_in_progress else 'false'}\n"
    )
    if job.app_token:
        head += "    env:\n      PROMPTOPS_APP_ID: ${{ secrets.PROMPTOPS_APP_ID }}\n"
    head += "    steps:\n"
    token = "${{ steps.app-token.outputs.token || github.token }}" if job.app_token else "${{ github.token }}"
    steps = _CHECKOUT_STEP + (_APP_TOKEN_STEP if job.app_token else "")
    if uses is not None:
        key = "          anthropic-api-key: ${{ secrets.ANTHROPIC_API_KEY }}\n" if job.model_key else ""
        login = f"          bot-login: {_APP_LOGIN}\n" if job.app_token else ""
        steps += _ACTION_STEP.format(uses=uses, token=token, key=key, login=login)
    else:
        steps += _INSTALL_STEPS.format(
            setup_python=SETUP_PYTHON,
            python=PYTHON_VERSION,
            requirement=f"{DISTRIBUTION}=={version}",
            token=token,
            key="          ANTHROPIC_API_KEY: ${{ secrets.ANTHROPIC_API_KEY }}\n" if job.model_key else "",
            login=f"          PROMPTOPS_BOT_LOGIN: {_APP_LOGIN}\n" if job.app_token else "",
        )
    return head + steps
