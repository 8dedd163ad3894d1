"""The reusable workflow uploads the eval run files under the name the PR report links to."""

from __future__ import annotations

import yaml

from tests.workflow_lint import PROJECT

UPLOAD = "actions/upload-artifact@ea165f8d65b6e75b540449e92b4886f43607fa02"


def test_jobs_that_evaluate_upload_their_run_files_as_the_artifact_the_report_names() -> None:
    text = (PROJECT / ".github/workflows/promptops.yml").read_text()
    assert f"uses: {UPLOAD} # v4.6.2" in text
    jobs = yaml.safe_load(text)["jobs"]
    for name in ("evaluate", "command", "evaluate-merge"):
        steps = jobs[name]["steps"]
        names = [step.get("name") for step in steps]
        run = steps[names.index("Run promptops")]
        upload = steps[names.index("Upload the eval run files")]
        assert names.index("Upload the eval run files") > names.index("Run promptops"), name
        assert upload["uses"] == UPLOAD and upload["if"] == "always()", name
        assert upload["with"]["name"] == run["env"]["PROMPTOPS_RUNS_ARTIFACT"] == "promptops-eval-runs"
        own = f"{run['with']['working-directory']}/.promptops/runs/"
        runs = "shard-runs/" if name == "evaluate-merge" else own
        assert upload["with"]["path"] == runs, name  # the merge job uploads what the shards wrote
        assert upload["with"]["if-no-files-found"] == "ignore"  # nothing evaluated: nothing uploaded
        assert upload["continue-on-error"] is True, name  # the check is set by promptops, not the job
