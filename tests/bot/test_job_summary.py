"""The job summary takes whole reports, yet never more than GitHub accepts (1 MiB per step)."""

from __future__ import annotations

from pathlib import Path

from promptops.bot.context import CiReport, append_step_summary


def test_whole_reports_go_to_the_job_summary_and_it_stays_under_a_mebibyte(tmp_path: Path) -> None:
    report = CiReport()
    for run in range(3):  # a schedule optimizing three prompts, each with a long report
        rows = (f"| case {run}-{n} | {'😀' * 8} |" for n in range(8000))  # 4 UTF-8 bytes per emoji
        report.say(f"optimized prompt {run}", "\n".join(rows))
    path = tmp_path / "step-summary.md"
    path.write_text("earlier step\n", encoding="utf-8")
    append_step_summary(path, report)
    text = path.read_text(encoding="utf-8")
    assert text.startswith("earlier step\n## promptops\n\n| case 0-0 | 😀😀")
    assert len(text.encode("utf-8")) <= 1024 * 1024
    assert "| case 1-0 |" in text and "| case 2-7999 |" not in text
    assert "_Cut to fit GitHub's 262,144-character limit" in text


def test_a_short_summary_is_appended_unchanged(tmp_path: Path) -> None:
    report = CiReport()
    report.say("promptops: nothing to do")
    path = tmp_path / "step-summary.md"
    append_step_summary(path, report)
    assert path.read_text(encoding="utf-8") == "## promptops\n\npromptops: nothing to do\n\n"
