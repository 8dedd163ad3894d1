"""The bot: what promptops does on GitHub Actions events, on `/promptops` comments, and when it
publishes a variant or a rollback as a pull request.

| module | job |
| --- | --- |
| `ci` | `promptops ci`: read the event, hand it to the module for that event |
| `context` | what handlers share: Actions environment, report, secret redactor, GitHub handle |
| `events` | event payloads parsed into records (what to skip and why) |
| `pull_request` | evaluate a PR's changed agents, sticky comment and `promptops/eval` status |
| `comment` | `/promptops ...` comments: the permission gate, then the command |
| `commands` | parsing ChatOps commands, and `/promptops help` |
| `ci_publish` | optimize or roll back on behalf of a comment or the schedule |
| `push` | a push to the default branch: deployment records and `deploy.command` |
| `schedule` | the scheduled run: optimization PRs within `github.max_open_prs` |
| `publish` | an optimization session as a branch, commit, note and pull request |
| `rollback` | restore a prompt version as a PR (or `--direct`) |
| `pr_report` | the markdown of a PR body and sticky comment |
| `session_report` | the report data read from a session file |

Git goes through `promptops.git`, GitHub through `promptops.github`; markdown safety
(escaping model text, fences, size limits) is `promptops.markdown`.
"""
