"""Markdown safety and size: LLM-written text must not inject HTML, ping people or break the layout."""

from __future__ import annotations

import re

from promptops import markdown as md
from promptops.bot import pr_report as report
from promptops.bot.pr_report import CaseChange, ReportData
from promptops.markdown import Section
from tests.bot.reports import sample_report

ATTACKS = [
    '<img src=x onerror="alert(1)">',
    "<script>fetch('//evil')</script>",
    "</details><details open><summary>fake</summary>",
    "ping @octocat and @octo-org/security-team",
    "| injected | cells |",
    "```\nclosing the fence\n```",
    "[click me](javascript:alert(1))",
    "<!-- promptops:report support-agent/system/conciseness -->",
]


def sample(**kw: object) -> ReportData:
    return sample_report(**kw)


def live_html_tags(text: str) -> list[str]:
    """Tags GitHub would treat as HTML: everything outside fenced blocks, minus our own."""
    outside = re.sub(r"^(`{3,}).*?^\1", "", text, flags=re.S | re.M)
    ours = re.compile(r"</?(details|summary)( open)?>|<!-- promptops:report [^>]* -->$")
    return [t for t in re.findall(r"<[^>\n]*>", outside) if not ours.fullmatch(t)]


def test_escape_text_neutralises_html_mentions_links_and_pipes() -> None:
    out = md.escape_text(" ".join(ATTACKS))
    assert "<" not in out and ">" not in out
    assert "@octocat" not in out and "@octo-org/security-team" not in out
    assert f"@{md.ZWJ}octocat" in out and f"@{md.ZWJ}octo-org/security-team" in out
    assert "](" in out and "\\[click me\\]" in out  # brackets escaped: no link
    assert re.search(r"(?<!\\)\|", out) is None  # every pipe escaped
    assert "```" not in out


def test_fence_is_longer_than_any_backtick_run_inside() -> None:
    text = "a ``` b\n````\nc"
    fenced = md.fence(text)
    assert fenced.startswith("`````\n") and fenced.endswith("\n`````")
    assert md.fence("plain").startswith("```\n")
    assert md.inline_code("uses `x` here") == "``uses `x` here``"


def test_report_with_hostile_llm_text_renders_no_html_and_pings_nobody() -> None:
    hostile = "\n".join(ATTACKS)
    out = report.render_report(
        sample(
            hypothesis=hostile,
            change_summary=hostile,
            base_text="Hello.\n",
            variant_text=hostile,
            case_changes=(CaseChange("case|1", "pass", "fail", hostile),),
            budget="3 calls @team",
        )
    )
    assert live_html_tags(out) == []
    assert re.search(r"@(?!\u200d)[A-Za-z]", out) is None
    assert out.count("<!-- promptops:report") == 1  # the attacker cannot forge a second marker
    assert out.count("<details") == out.count("</details>")
    for row in [line for line in out.splitlines() if line.startswith("| case")]:
        assert len(re.findall(r"(?<!\\)\|", row)) == 5  # four cells, no injected columns


def test_report_leads_with_the_verdict_and_says_what_figures_were_measured_on() -> None:
    out = report.render_report(sample(base_version="ce013625030ba8dba906f756967f9e9ca394464a"))
    lines = out.splitlines()
    assert lines[0] == "<!-- promptops:report support-agent/system/conciseness -->"
    assert lines[3:5] == ["> [!NOTE]", "> **✅ Recommended: -23% tokens, pass rate unchanged**"]
    assert "| pass rate (95% interval) | 85.0% (78.0%–90.0%) | 86.0% (79.0%–91.0%) | +1.0 pp |" in out
    assert "| tokens (mean per case) | 412 | 318 | -22.8% |" in out
    assert "| p-value (paired) | | | 0.62 |" in out
    assert "Measured on 40 cases × 3 repeats with `claude-sonnet-5-5`." in out
    assert "base `ce01362503`" in out


def test_word_diff_marks_deletions_and_insertions() -> None:
    out = md.word_diff("Always be polite and helpful.", "Always be brief and helpful.")
    assert out == "Always be ~~polite~~**brief** and helpful."
    multi = md.word_diff("one\ntwo three\n", "one\ntwo four\n")
    assert multi == "one\ntwo ~~three~~**four**\n"


def test_diff_block_is_fenced() -> None:
    out = md.diff_block("a\n```\nb\n", "a\n```\nc\n")
    assert out.startswith("````diff\n") and "-b" in out and "+c" in out


def test_fit_to_limit_cuts_the_highest_rank_first_and_says_so() -> None:
    rows = tuple(f"| case-{i} | fail | pass | note |" for i in range(1000))
    sections = [
        Section("verdict", "### verdict"),
        Section("diff", "d" * 2000, rank=1),
        Section("per-case changes", "| case |\n| --- |", items=rows, rank=2, item_noun="per-case changes"),
    ]
    out = md.fit_to_limit(sections, limit=10_000)
    assert len(out) <= 10_000
    assert "d" * 2000 in out  # rank 1 kept whole; the rows (rank 2) were cut
    shown = len(re.findall(r"^\| case-\d+", out, flags=re.M))
    assert 0 < shown < 1000
    assert f"_{1000 - shown} of 1,000 per-case changes not shown (GitHub's size limit)._" in out


def test_fit_to_limit_leaves_out_a_section_without_items_and_keeps_rank_zero() -> None:
    sections = [Section("verdict", "### verdict"), Section("diff", "d" * 50_000, rank=3, more="See the run.")]
    out = md.fit_to_limit(sections, limit=1_000)
    assert out == "### verdict\n\n_diff left out (50,000 characters; GitHub's size limit). See the run._"


def test_truncate_closes_open_fences_and_details() -> None:
    text = "<details>\n<summary>x</summary>\n\n```\n" + "line\n" * 20_000
    out = md.truncate_to_limit(text, limit=5_000)
    assert len(out) <= 5_000
    assert out.count("```") == 2 and out.count("</details>") == 1
    assert "Cut to fit GitHub's 5,000-character limit (100,036 characters)" in out


def test_marker_key_cannot_close_the_comment() -> None:
    assert md.report_marker("a/b --> <img>") == "<!-- promptops:report a/b_-____img_ -->"


def test_escape_block_defuses_lists_and_headings_at_line_starts() -> None:
    assert md.escape_block("- item\n1. first\n  2) second\n# title\nplain 3. text") == (
        "\\- item\n1\\. first\n  2\\) second\n\\# title\nplain 3. text"
    )


def test_the_verdict_is_a_github_alert_coloured_by_outcome() -> None:
    for outcome, kind in [
        ("improvement", "TIP"),
        ("regression", "CAUTION"),
        ("no-difference", "NOTE"),
        ("inconclusive", "NOTE"),
    ]:
        out = report.render_report(sample(outcome=outcome)).splitlines()
        assert out[3] == f"> [!{kind}]" and out[4].startswith("> **")


def test_per_case_changes_are_folded_with_regressions_first_and_link_the_run() -> None:
    changes = (
        CaseChange("case-a", "fail", "pass"),
        CaseChange("case-b", "pass", "fail", "lost the refund"),
        CaseChange("case-c", "error", "fail"),
        CaseChange("case-d", "pass", "error"),
    )
    out = report.render_report(
        sample(case_changes=changes, run_url="https://github.example/o/r/actions/runs/42")
    )
    regressions, improvements = out.index("Per-case regressions ("), out.index("Per-case improvements (")
    assert regressions < improvements  # regressions first, each folded
    assert out.count("<details") == out.count("</details>")
    assert out.rstrip().endswith(
        "Produced by [this workflow run](https://github.example/o/r/actions/runs/42)."
    )
