"""The dashboard issue through `promptops ci`, real PyGithub against the GitHub stand-in: made
once and edited in place by scheduled runs and deploys; a ticked box runs once and is
unticked; a box ticked without write permission runs nothing; a forged issue is ignored."""

from __future__ import annotations

import json

import pytest

from tests.ci import payloads
from tests.ci.conftest import CiRun, run_event
from tests.dashboard.scenario import BILLING, Scenario, on_day, scenario  # noqa: F401 - the fixture
from tests.gitrepo import commit, git

MARKER = "<!-- promptops:dashboard -->"
UNIGNORE = "<!-- promptops:unignore support-agent/user_template conciseness -->"
EVAL_BOX = "<!-- promptops:eval billing-agent -->"


def schedule(s: Scenario, monkeypatch: pytest.MonkeyPatch) -> CiRun:
    run = run_event(s.repo, monkeypatch, s.github, "schedule", payloads.schedule())
    assert run.result.exit_code == 0, run.err
    return run


def own_issues(s: Scenario) -> dict[int, dict]:
    return {n: i for n, i in s.github.issues.items() if i["login"] == s.github.login}


def tick(s: Scenario, monkeypatch: pytest.MonkeyPatch, number: int, marker: str, login: str) -> CiRun:
    """Tick the box of `marker` as `login` would in the browser, then deliver `issues: edited`."""
    issue = s.github.issues[number]
    before = issue["body"]
    assert f"- [ ] {marker}" in before
    issue["body"] = before.replace(f"- [ ] {marker}", f"- [x] {marker}")
    payload = payloads.issue_edited(number, issue["body"], before, login=login, author=issue["login"])
    return run_event(s.repo, monkeypatch, s.github, "issues", payload)


def section(body: str, prompt_id: str) -> str:
    """The dashboard's section of one prompt: from its heading to the next heading."""
    return body.split(f"### `{prompt_id}`", 1)[1].split("\n#", 1)[0]


def ignored_goals(s: Scenario) -> dict:
    origin = s.repo.parent / "origin.git"
    blob = git(origin, "rev-parse", "main:prompts/support-agent/user.md")
    return json.loads(git(origin, "notes", "--ref=refs/notes/promptops", "show", blob)).get("ignored", {})


def test_the_dashboard_is_created_once_and_edited_in_place(
    scenario: Scenario,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    s = scenario
    run = schedule(s, monkeypatch)
    [(number, issue)] = own_issues(s).items()
    assert f"opened the dashboard issue #{number}" in run.out
    assert issue["title"] == "promptops dashboard" and s.github.issue_labels[number] == ["promptops"]
    assert issue["body"].startswith(MARKER) and "v2 · 3ba65f1e10" in issue["body"]
    assert f"support-agent/system: goal clarity waits: pull request #{s.open_pr}" in run.out  # the lock

    on_day(monkeypatch, 20)
    commit(s.repo, {f"{BILLING}/user.md": "Customer question: {{question}}\n"}, "Reword (#12)", push=True)
    run = schedule(s, monkeypatch)
    assert f"updated the dashboard issue #{number}" in run.out
    assert own_issues(s).keys() == {number} and len(s.github.calls("issues/create")) == 1
    assert "| version | v2 · " in section(s.github.issue_body(number), "billing-agent/user_template")

    run = schedule(s, monkeypatch)  # nothing changed: no edit
    assert f"dashboard issue #{number} unchanged" in run.out
    assert len(s.github.calls("issues/update")) == 1

    on_day(monkeypatch, 21)
    before = git(s.repo, "rev-parse", "HEAD")
    after = commit(
        s.repo, {f"{BILLING}/system.md": "You answer billing questions.\n"}, "Trim (#13)", push=True
    )
    run = run_event(s.repo, monkeypatch, s.github, "push", payloads.push(before, after))
    assert run.result.exit_code == 0, run.err
    assert f"updated the dashboard issue #{number}" in run.out  # after the deploy
    body = s.github.issue_body(number)
    assert "PR \\#13 (recorded by promptops ci)" in section(body, "billing-agent/system")
    assert len(s.github.calls("issues/create")) == 1


def test_a_ticked_box_runs_once_and_is_unticked(
    scenario: Scenario,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    s = scenario
    schedule(s, monkeypatch)
    [number] = own_issues(s)
    assert "conciseness" in ignored_goals(s)["support-agent/user_template"]

    run = tick(s, monkeypatch, number, UNIGNORE, "alice")
    assert run.result.exit_code == 0, run.err
    assert "alice ticked `/promptops unignore support-agent/user_template --goal conciseness`" in run.out
    assert ignored_goals(s) == {}  # the action ran: the ignore note is gone from origin
    [reply] = [c["body"] for c in s.github.comments.values() if c["issue"] == number]
    assert "**alice** ticked `/promptops unignore support-agent/user_template --goal conciseness`" in reply
    assert "The scheduled run may propose goal `conciseness` for `support-agent/user_template` again" in reply
    body = s.github.issue_body(number)
    assert "- [x]" not in body  # unticked
    assert UNIGNORE not in body  # refreshed: nothing is declined any more, so the box is gone...
    assert (
        "- [ ] <!-- promptops:optimize support-agent/user_template conciseness -->" in body
    )  # ...and this is offered

    # GitHub's event for the bot's own untick (or any edit that ticks nothing new) runs nothing
    requests = len(s.github.requests)
    ticked_before = body.replace("- [ ] <!-- promptops:optimize", "- [x] <!-- promptops:optimize")
    payload = payloads.issue_edited(number, body, ticked_before, login="alice", author=s.github.login)
    run = run_event(s.repo, monkeypatch, s.github, "issues", payload)
    assert run.result.exit_code == 0 and "edited without ticking a box; nothing to do" in run.out
    assert len(s.github.requests) == requests


def test_a_box_ticked_without_write_permission_runs_nothing(
    scenario: Scenario,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    s = scenario
    schedule(s, monkeypatch)
    [number] = own_issues(s)
    run = tick(s, monkeypatch, number, UNIGNORE, "mallory")
    assert run.result.exit_code == 0, run.err
    said = f"mallory ticked 1 box(es) of the dashboard issue #{number} without write permission"
    said += "; unticked, nothing run"
    assert said in run.out and said in run.summary
    assert "conciseness" in ignored_goals(s)["support-agent/user_template"]  # nothing ran
    assert f"- [ ] {UNIGNORE}" in s.github.issue_body(number)
    assert [c for c in s.github.comments.values() if c["issue"] == number] == []


def test_a_forged_dashboard_is_never_edited_nor_acted_on(
    scenario: Scenario,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    s = scenario
    forged_body = f"{MARKER}\nAll prompts are fine.\n\n- [ ] {EVAL_BOX} re-evaluate now\n"
    forged = s.github.add_issue("promptops dashboard", forged_body, "mallory", labels=["promptops"])
    run = schedule(s, monkeypatch)
    [number] = own_issues(s)
    assert number != forged and s.github.issue_body(forged) == forged_body
    url = f"https://github.example/{s.github.owner}/{s.github.name}/issues/{forged}"
    said = f"ignored issue {url} (by mallory): it has the dashboard marker, but promptops did not open it"
    assert said in run.out and said in run.summary

    run = tick(s, monkeypatch, forged, EVAL_BOX, "alice")  # alice may write; the issue is still not ours
    assert run.result.exit_code == 0, run.err
    assert (
        f"ignored issue #{forged}: it carries promptops' dashboard marker but was opened by mallory"
        in run.out
    )
    assert f"- [x] {EVAL_BOX}" in s.github.issue_body(forged)  # not even unticked: never edited
    assert [c for c in s.github.comments.values() if c["issue"] == forged] == []


def test_dashboard_can_be_switched_off(
    scenario: Scenario,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    s = scenario
    config = s.repo / ".promptops.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "github: {dashboard: false}\n", encoding="utf-8")
    commit(s.repo, {}, "no dashboard", push=True)
    run = schedule(s, monkeypatch)
    assert "dashboard issue not refreshed: it is off (github.dashboard: false)" in run.out
    assert f"support-agent/system: goal clarity waits: pull request #{s.open_pr}" in run.out  # ran on
    assert s.github.issues == {} and s.github.calls("issues/list-for-repo") == []


def test_two_boxes_ticked_in_one_edit_each_run_once(
    scenario: Scenario,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    s = scenario
    schedule(s, monkeypatch)
    [number] = own_issues(s)
    issue = s.github.issues[number]
    before = issue["body"]
    issue["body"] = before.replace(f"- [ ] {EVAL_BOX}", f"- [x] {EVAL_BOX}").replace(
        f"- [ ] {UNIGNORE}", f"- [x] {UNIGNORE}"
    )
    payload = payloads.issue_edited(number, issue["body"], before, login="alice", author=s.github.login)
    run = run_event(s.repo, monkeypatch, s.github, "issues", payload)
    assert run.result.exit_code == 0, run.err
    [reply] = [c["body"] for c in s.github.comments.values() if c["issue"] == number]
    first, second = reply.split("**alice** ticked ")[1:]
    assert first.startswith("`/promptops eval billing-agent`:")
    assert "## promptops eval: billing-agent" in first  # the eval report of the default branch
    assert "| invoice | pass | 1/1 |" in first
    assert second.startswith("`/promptops unignore support-agent/user_template --goal conciseness`:")
    assert ignored_goals(s) == {} and "- [x]" not in s.github.issue_body(number)
