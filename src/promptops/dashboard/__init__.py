"""The prompt dashboard: the state of every prompt at a glance, with checkboxes to act.

| module | job |
| --- | --- |
| `model` | the records: per agent and prompt, version, tokens, last eval, deploy, rollout, PRs, ignores |
| `gather` | build them from git (and GitHub's open PRs when the caller has them) |
| `actions` | the checkboxes: markers, what an edit newly ticked, unticking |
| `render` | the issue body (markdown) and the wording every view shares |
| `version_points` | a prompt's history as chart points (its section's charts, `history --chart`) |

It sits below `bot` (which keeps the dashboard issue on GitHub and runs ticked boxes) and
above `github`, so `promptops dashboard` can show the same content on a laptop.
"""
