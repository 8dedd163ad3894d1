"""The caller workflow `promptops init --github` writes into a user's repository.

It is deliberately small: triggers, permissions, a filter for comments, and a call to
the reusable workflow that installs promptops and runs `promptops ci`. Keeping the logic
in the reusable workflow (and in `promptops ci`) means users upgrade by changing one ref.
The model key is passed explicitly (`secrets: inherit` would hand over every secret);
the reusable workflow withholds it from pull requests coming from forks.
"""

from __future__ import annotations

import re

from promptops import __version__
from promptops.errors import InputError

WORKFLOW_PATH = ".github/workflows/promptops.yml"
DEFAULT_USES = f"promptops/promptops/.github/workflows/promptops.yml@v{__version__}"

_USES = re.compile(r"[\w.-]+/[\w.-]+/\.github/workflows/[\w.-]+\.ya?ml@[\w./-]+")

_TEMPLATE = """\
# promptops: evaluates prompt changes on pull requests, runs /promptops commands from
# comments, records deployments on pushes to {branch}, and optimizes prompts on a schedule.
# Written by `promptops init --github`. Reference: docs/github-actions.md
# Needs the repository secret ANTHROPIC_API_KEY (Settings > Secrets and variables > Actions).
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
  push:
    branches: [{branch}]
    paths:
      - "{prompts_dir}/**"
  schedule:
    - cron: "0 6 * * 1"  # Mondays 06:00 UTC: schedule.prompts and agents below schedule.min_pass_rate
  workflow_dispatch:

# What the bot writes: branches and notes (contents), PRs and their comments, the status.
permissions:
  contents: write
  pull-requests: write
  issues: write
  statuses: write

jobs:
  promptops:
    # Comments run the bot only when they are commands, PR edits only when they tick the re-run
    # box (so editing a description never cancels a running evaluation); the bot checks permission.
    if: >-
      (github.event_name != 'issue_comment' || startsWith(github.event.comment.body, '/promptops'))
      && (github.event.action != 'edited'
          || contains(github.event.pull_request.body, '- [x] <!-- promptops:rerun-eval -->'))
    uses: {uses}
    secrets:
      ANTHROPIC_API_KEY: ${{{{ secrets.ANTHROPIC_API_KEY }}}}
"""


def render_caller_workflow(
    *, uses: str = DEFAULT_USES, branch: str = "main", prompts_dir: str = "prompts"
) -> str:
    """The workflow file text; `uses` is OWNER/REPO/.github/workflows/promptops.yml@REF."""
    if not _USES.fullmatch(uses):
        raise InputError(
            f"--uses {uses!r}: expected OWNER/REPO/.github/workflows/FILE.yml@REF "
            f"(for example {DEFAULT_USES})"
        )
    prompts = prompts_dir.strip("/").removeprefix("./")
    return _TEMPLATE.format(uses=uses, branch=branch, prompts_dir=prompts or "*")
