"""The outside worlds of a bot: git (GitPython), GitHub (PyGithub), Actions events, reports."""
