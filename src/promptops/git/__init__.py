"""Low-level git for promptops, at the bottom of the stack (GitPython and the git CLI).

| module | job |
| --- | --- |
| `process` | git as a plain subprocess for the read paths (`history`, `list`): no GitPython |
| `repository` | open a repository, its remote, run git with one-line errors |
| `branches` | the default branch (the one function naming it) and a revision for it |
| `refs` | resolve refs, ancestry, merge bases, paths changed between commits, trailers |
| `status` | uncommitted changes in the user's working tree |
| `tree` | files and blobs at a ref, without touching the working tree |
| `log` | the first-parent history of a file (or several in one walk, read later), following renames |
| `log_cache` | those histories kept in the git directory until the branch or the notes move |
| `change_counts` | how many commits changed each file (every prompt's `vN`), cached |
| `shallow` | shallow clones: detect, deepen with `git fetch --unshallow`, or refuse to count history |
| `note_reading` · `notes` | eval summaries in `refs/notes/promptops`: read · add, fetch, merge |
| `worktree` | commits made in a temporary worktree |
| `push` | pushes with a lease and the notes ref, and what a rejection means |
| `commits` | publishing a variant or rollback commit on its branch |
| `local_repo` | a repository with a local bare origin (the demo and tests) |

It imports only `errors`, `config` and `version_ids`; everything above imports it.
"""
