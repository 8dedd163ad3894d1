"""What an oversized PR report keeps (verdict and figures, regressions, improvements, diff, the rest),
fences that stay balanced however deep, and model text that cannot reorder or link what it shows."""

from __future__ import annotations

import re

import pytest
from markdown_it import MarkdownIt

from promptops import markdown as md
from promptops.bot.pr_report import ArmFigures, CaseChange, ReportData, render_report, report_sections
from tests.bot.reports import sample_report

RUN_URL = "https://github.com/acme/prompts/actions/runs/42"


def report(**kw: object) -> ReportData:
    values: dict[str, object] = dict(
        verdict="Not recommended: 5 regressions",
        recommended=False,
        variant=ArmFigures(0.80, (0.72, 0.86), 318, 1100, 0.0101),
        p_value=0.04,
        base_text="".join(f"Rule {i}: answer in the customer's language, politely.\n" for i in range(1000)),
        variant_text="".join(f"Rule {i}: answer briefly, in English.\n" for i in range(1000)),
        case_changes=(
            *(
                CaseChange(f"regressed-{i}", "pass", "fail", f"no refund policy quoted ({i})")
                for i in range(5)
            ),
            *(CaseChange(f"improved-{i}", "fail", "pass", "now polite") for i in range(12)),
        ),
        hypothesis="Shorter rules are followed more reliably.",
        budget="212 LLM calls, $1.84 of $5.00",
        full_report_url=RUN_URL,
    )
    values.update(kw)
    return sample_report(**values)


def rows(markdown: str, prefix: str) -> list[str]:
    return re.findall(rf"^\| ({prefix}-\d+) \|", markdown, flags=re.M)


def test_a_diff_over_the_limit_alone_still_leaves_every_regression_and_improvement() -> None:
    data = report()
    assert len(md.word_diff(data.base_text, data.variant_text)) > md.COMMENT_LIMIT
    out = render_report(data)
    assert len(out) <= md.COMMENT_LIMIT
    assert "| pass rate (95% interval) | 85.0% (78.0%–90.0%) | 80.0% (72.0%–86.0%) | -5.0 pp |" in out
    assert rows(out, "regressed") == [f"regressed-{i}" for i in range(5)]
    assert rows(out, "improved") == [f"improved-{i}" for i in range(12)]
    note = re.search(
        r"_([\d,]+) of ([\d,]+) lines of the diff not shown \(GitHub's size limit\)\. (.*)_", out
    )
    assert note and 0 < int(note[1].replace(",", "")) < int(note[2].replace(",", ""))
    assert note[3] == f"The full diff is in the job summary of [the workflow run](<{RUN_URL}>)."
    assert "Rule 0: answer" in out  # the diff is trimmed from its end, not dropped


def test_the_job_summary_rendering_holds_the_whole_diff() -> None:
    out = render_report(report(), limit=md.JOB_SUMMARY_LIMIT)
    assert "not shown" not in out and "Rule 999: answer" in out


def test_without_a_run_the_diff_note_points_to_the_files_changed_tab() -> None:
    out = render_report(report(full_report_url=""))
    assert "lines of the diff not shown (GitHub's size limit). The full diff is in the pull request's" in out


def test_what_is_cut_goes_by_priority() -> None:
    """At every size: regressions before improvements, improvements before the diff, the diff
    before the hypothesis; verdict and figures always."""
    seen = set()
    sections = report_sections(report())  # what render_report fits, made once for the 1,250 sizes
    for limit in range(1_500, 14_000, 10):
        out = md.fit_to_limit(sections, limit)
        assert len(out) <= limit
        assert out.splitlines()[3:5] == ["> [!NOTE]", "> **⚠️ Not recommended: 5 regressions**"]
        assert "| p-value (paired) | | | 0.04 |" in out and "Measured on 40 cases × 3 repeats" in out
        regressed, improved = len(rows(out, "regressed")), len(rows(out, "improved"))
        diff_lines = len(re.findall(r"^Rule \d+: answer", out, flags=re.M))
        assert improved == 0 or regressed == 5
        assert diff_lines == 0 or improved == 12
        assert "Shorter rules" not in out or diff_lines == 1000
        seen.add((regressed == 5, improved == 12, diff_lines > 0, "Shorter rules" in out))
    assert {(False, False, False, False), (True, False, False, False), (True, True, True, False)} <= seen


def rendered_outside_code(markdown: str) -> bool:
    """Whether a paragraph after `markdown` renders as text (no fence left open), per CommonMark."""
    tokens = MarkdownIt("commonmark").parse(markdown + "\n\nSENTINEL-PARAGRAPH\n")
    return any(t.type == "inline" and t.content == "SENTINEL-PARAGRAPH" for t in tokens)


NESTED = md.fence(md.fence(md.fence("print('deep')\n", "py") + "\nprose\n", "md") + "\nmore prose\n", "md")


def test_fences_nested_three_four_five_deep_are_balanced_at_every_cut() -> None:
    assert NESTED.startswith("`````md\n````md\n```py\n")
    assert rendered_outside_code(NESTED)
    text = "<details>\n<summary>s</summary>\n\n" + NESTED + "\n\n" + NESTED + "\n\n</details>"
    for limit in range(len(text) - 1, 60, -1):
        out = md.truncate_to_limit(text + "\n" + "x" * 200, limit + 200)
        assert len(out) <= limit + 200
        assert rendered_outside_code(out), out
        assert md.open_fence(out) is None
        assert out.count("<details>") == out.count("</details>")


@pytest.mark.parametrize(
    ("text", "left_open"),
    [
        ("````\n```\ncode\n", "````"),  # a ``` line inside a ```` block is content
        ("````\n```\ncode\n`````\n", None),  # a longer run closes it
        ("~~~\n```\n", "~~~"),  # backticks never close a tilde fence
        ("```py\nx\n``` not a closer\n", "```"),
        ("``` inline `code` here\n", None),  # backticks in the info string: not a fence
        ("text\n```\n", "```"),
    ],
)
def test_open_fence_reads_fences_as_commonmark_does(text: str, left_open: str | None) -> None:
    assert md.open_fence(text) == left_open
    assert rendered_outside_code(text) == (left_open is None)


BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


def test_bidi_controls_and_gh_references_in_model_text_are_neutralised() -> None:
    attack = "refund\u202eylno sesac \u2066tset\u2069 see GH-12 and gh-7"
    out = render_report(
        report(
            hypothesis=attack,
            change_summary=attack,
            verdict=attack,
            variant_text=attack + "\n",
            base_text="refund\n",
            case_changes=(CaseChange(attack, "pass", "fail", attack),),
        )
    )
    assert not set(BIDI) & set(out)
    assert "&lt;U+202E&gt;ylno sesac &lt;U+2066&gt;tset&lt;U+2069&gt;" in out
    assert "GH-12" not in out and "gh-7" not in out
    assert f"GH{md.ZWJ}-12" in out and f"gh{md.ZWJ}-7" in out
    fenced = md.fence(attack)
    assert "<U+202E>" in fenced and not set(BIDI) & set(fenced)
    assert not set(BIDI) & set(md.inline_code(attack))


@pytest.mark.parametrize("char", list(BIDI))
def test_every_bidi_control_is_shown_by_its_code_point(char: str) -> None:
    assert md.escape_text(f"a{char}b") == f"a&lt;U+{ord(char):04X}&gt;b"


def test_case_changes_are_split_into_regressions_and_improvements() -> None:
    changes = (
        CaseChange("a", "pass", "1/2 pass", "missing 'refund policy'"),
        CaseChange("b", "fail", "1/2 pass"),
        CaseChange("c", "fail", "error", "timeout"),
        CaseChange("d", "error", "fail"),
        CaseChange("e", "1/3 pass", "2/3 pass"),
        CaseChange("f", "pass", "unreadable"),
    )
    out = render_report(report(case_changes=changes, base_text="", variant_text=""))
    regressions, improvements = out.split("<summary>Per-case improvements (3 cases)</summary>")
    assert "<details open>\n<summary>Per-case regressions (3 cases)</summary>" in regressions
    assert re.findall(r"^\| ([a-f]) \|", regressions, flags=re.M) == ["a", "c", "f"]
    assert re.findall(r"^\| ([a-f]) \|", improvements, flags=re.M) == ["b", "d", "e"]
