"""`promptops dashboard` on a laptop: the same dashboard, with PR data only when asked for.

Without a token nothing is read from GitHub, and the dashboard says so ("no pull request
data") instead of showing zero open PRs; with one, the open PRs come from the repository
named by `--repo`, `GITHUB_REPOSITORY` or the origin remote's URL.
"""

from __future__ import annotations

import contextlib

from promptops.config import Config
from promptops.dashboard.gather import gather_dashboard
from promptops.dashboard.model import Dashboard
from promptops.errors import PromptopsError
from promptops.git.repository import remote_url
from promptops.github.connection import connect, parse_remote_url
from promptops.github.open_pulls import open_pulls

NO_TOKEN = (
    "Local mode: no pull request data (open PRs, their verdicts and the per-prompt lock are not "
    "shown). Set GITHUB_TOKEN or pass --token, and --repo OWNER/NAME if origin is not on GitHub."
)


def local_dashboard(
    config: Config,
    *,
    token: str | None,
    repository: str | None = None,
    base_url: str | None = None,
    fetch: bool = True,
) -> Dashboard:
    """The dashboard of `config.root`'s default branch; open PRs read only with a token."""
    url = None
    with contextlib.suppress(PromptopsError, ValueError):  # no git remote: no name to show
        url = remote_url(config.root)
    if not token:
        name = repository or (parse_remote_url(url) if url else None)
        return gather_dashboard(config, pulls=None, repository=name, pulls_note=NO_TOKEN, fetch=fetch)
    gh = connect(
        token=token,
        repository=repository,
        base_url=config.get("github.base_url") or base_url,  # the config first, as in CI
        remote_url=url,
    )
    return gather_dashboard(config, pulls=open_pulls(gh), repository=gh.full_name, fetch=fetch)
