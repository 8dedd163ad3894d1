import json
from pathlib import Path

from promptops.optimize.invariants import GuardResult
from promptops.optimize.session import CandidateRecord, Session
from promptops.schemas import schema_errors
from promptops.version_ids import version_id

PROMPT = {
    "id": "support-agent/system",
    "type": "system",
    "path": "prompts/support-agent/system.md",
    "base_version": version_id("base\n"),
    "base_tokens": 2,
}


def read(session: Session) -> dict:
    return json.loads(session.path.read_text(encoding="utf-8"))


def test_a_session_is_readable_from_its_first_step_to_its_last(tmp_path: Path) -> None:
    session = Session.start(tmp_path, PROMPT, "conciseness", {"variants": 3})
    assert session.path.parent == tmp_path / ".promptops" / "sessions"
    assert session.path.name.endswith(".json") and "support-agent-system" in session.path.name
    early = read(session)
    assert early["status"] == "running" and early["timings"]["finished_at"] is None
    assert schema_errors(early, "session") == []

    record = CandidateRecord(
        id="e1", origin="edit", round=1, text="shorter\n", edits=["remove-filler-phrases"]
    )
    record.guarded(GuardResult(ok=True, reasons=(), tokens=1))
    record.dev_scores.append(
        {
            "round": 1,
            "cases": 4,
            "samples": 4,
            "pass_rate": 1.0,
            "base_pass_rate": 1.0,
            "pass_diff": 0.0,
            "kept": True,
        }
    )
    session.candidates.append(record)
    session.timed("generate", 0.25)
    session.save()
    middle = read(session)
    assert middle["candidates"][0]["version_id"] == version_id("shorter\n")
    assert middle["candidates"][0]["tokens"] == 1 and middle["timings"]["phases"] == {"generate": 0.25}

    session.recommendation = {"action": "keep-base", "candidate": None, "summary": "keep the base"}
    session.finish("completed")
    done = read(session)
    assert done["status"] == "completed" and done["timings"]["seconds"] >= 0
    assert schema_errors(done, "session") == []
    assert [p.name for p in session.path.parent.iterdir()] == [session.path.name]  # no temporary files left


def test_two_sessions_of_the_same_prompt_get_different_files(tmp_path: Path) -> None:
    first = Session.start(tmp_path, PROMPT, "accuracy", {})
    second = Session.start(tmp_path, PROMPT, "accuracy", {})
    assert first.path != second.path and first.path.exists() and second.path.exists()
