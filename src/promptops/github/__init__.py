"""The GitHub layer: every GitHub call promptops makes goes through this package (PyGithub).

| module | job |
| --- | --- |
| `connection` | which repository, server and token; `connect`, and what to say without a token |
| `repository` | `GitHubRepo`: pull requests, sticky comments, labels, statuses, permissions, reactions |
| `pulls` | open or update the bot's PR with its comment, labels and status in one re-runnable step |
| `retries` | the one retry policy (5xx, rate limits, dropped connections) and error messages |

A well-behaved bot keeps one PR per prompt and goal and one sticky comment per PR: a re-run
finds the open PR for its head branch (or recovers from GitHub's 422 "already exists" when two
runs race) and edits the comment carrying its hidden marker. PyGithub's own retry and request
throttling are switched off so there is exactly one policy, ours.
"""
