"""Which boxes an edit of the dashboard newly ticked, and how `issues: edited` is read."""

from __future__ import annotations

from promptops.bot.events import DashboardTickedEvent, Skip, parse_event
from promptops.dashboard.actions import Action, newly_ticked, untick
from tests.ci import payloads

OPTIMIZE = Action("optimize", "support-agent/system", "conciseness", "optimize for conciseness now")
EVAL = Action("eval", "support-agent", None, "re-evaluate now")
UNIGNORE = Action("unignore", "support-agent/user_template", "clarity", "un-ignore clarity (declined in #6)")
BODY = "\n".join(
    [
        "<!-- promptops:dashboard -->",
        "## support-agent",
        EVAL.box(),
        "### `support-agent/system`",
        OPTIMIZE.box(),
        UNIGNORE.box(),
        "- [ ] <!-- promptops:rerun-eval --> re-run the evaluation",  # a PR's box, not the dashboard's
    ]
)


def ticked(body: str, *actions: Action) -> str:
    for action in actions:
        body = body.replace(f"- [ ] {action.marker}", f"- [x] {action.marker}")
    return body


def test_the_marker_and_command_of_each_box() -> None:
    assert OPTIMIZE.box() == (
        "- [ ] <!-- promptops:optimize support-agent/system conciseness --> optimize for conciseness now"
    )
    assert OPTIMIZE.command == "/promptops optimize support-agent/system --goal conciseness"
    assert EVAL.command == "/promptops eval support-agent"
    assert UNIGNORE.command == "/promptops unignore support-agent/user_template --goal clarity"


def test_only_boxes_offered_unticked_before_and_ticked_now_count() -> None:
    after = ticked(BODY, OPTIMIZE, UNIGNORE)
    assert [a.marker for a in newly_ticked(BODY, after)] == [OPTIMIZE.marker, UNIGNORE.marker]
    assert newly_ticked(ticked(BODY, OPTIMIZE), after) == [Action("unignore", UNIGNORE.target, "clarity")]
    assert newly_ticked(after, BODY) == []  # unticking runs nothing
    assert newly_ticked(None, after) == []  # no body before (a title edit): nothing to compare


def test_a_box_typed_in_already_ticked_is_not_one_the_bot_offered() -> None:
    typed = "- [x] <!-- promptops:optimize billing-agent/system accuracy --> go"
    assert newly_ticked(BODY, BODY + "\n" + typed) == []


def test_untick_clears_only_the_named_boxes() -> None:
    after = ticked(BODY, OPTIMIZE, EVAL)
    cleared = untick(after, [Action("optimize", OPTIMIZE.target, "conciseness")])
    assert f"- [ ] {OPTIMIZE.marker} optimize for conciseness now" in cleared
    assert f"- [x] {EVAL.marker} re-evaluate now" in cleared
    assert untick(after, [OPTIMIZE, EVAL]) == BODY


def test_issues_edited_events() -> None:
    after = ticked(BODY, EVAL)
    event = parse_event(
        "issues", payloads.issue_edited(11, after, BODY, login="alice", author="promptops-bot")
    )
    assert isinstance(event, DashboardTickedEvent)
    assert (event.number, event.editor, [a.command for a in event.ticked]) == (
        11,
        "alice",
        ["/promptops eval support-agent"],
    )
    title_only = parse_event("issues", payloads.issue_edited(11, after, None, login="alice", author="x"))
    assert isinstance(title_only, Skip) and "without ticking a box" in title_only.reason
    other = parse_event(
        "issues", payloads.issue_edited(12, "- [x] done", "- [ ] done", login="a", author="b")
    )
    assert isinstance(other, Skip) and "not the promptops dashboard" in other.reason
    opened = payloads.issue_edited(11, after, BODY, login="alice", author="x") | {"action": "opened"}
    assert isinstance(parse_event("issues", opened), Skip)
