"""From an optimization session (`.promptops/sessions/<id>.json`) to what a PR carries.

The report, the commit subject and the git note are all made from the session file alone
(plus the base prompt's text, read from git by its version id), so a session can be
published later, from another machine or by CI. The confirmation's verdict leads: it is
drawn on the holdout cases selection never saw plus the dev cases it used, at an alpha
divided among every candidate selection looked at. Every figure names what it was measured on.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from gitdb.exc import BadName, BadObject

from promptops.bot.pr_report import ArmFigures, CaseChange, ReportData
from promptops.config import Config
from promptops.errors import InputError, NotFoundError
from promptops.files import load_document
from promptops.git.tree import read_blobs
from promptops.repo.eval_notes import NOTE_SCHEMA
from promptops.schemas import validate_document

SESSIONS_DIR = ".promptops/sessions"


# ---------------------------------------------------------------- reading a session


def load_session(config: Config, session: str | Path) -> tuple[dict[str, Any], Path]:
    """The session JSON named by a path, an id, or a unique id prefix; validated against its schema."""
    path = _session_path(config, str(session))
    doc = load_document(path)
    validate_document(doc, "session")
    return doc.data, path


def _session_path(config: Config, session: str) -> Path:
    given = Path(session)
    if given.suffix == ".json" or given.is_file():
        path = given if given.is_absolute() else config.root / given
        if not path.is_file():
            raise NotFoundError(f"{session}: no such session file")
        return path
    folder = config.root / SESSIONS_DIR
    matches = sorted(folder.glob(f"{session}*.json")) if folder.is_dir() else []
    exact = [p for p in matches if p.stem == session]
    if exact or len(matches) == 1:
        return (exact or matches)[0]
    if matches:
        names = ", ".join(p.stem for p in matches[:5])
        raise InputError(f"session {session!r} is ambiguous ({names}); give more of the id")
    raise NotFoundError(
        f"no session {session!r} in {SESSIONS_DIR}/ (run `promptops optimize` first, or give the file's path)"
    )


def winner(session: dict[str, Any]) -> dict[str, Any]:
    """The candidate the confirmation judged (recommended or not); an error when there is none."""
    sid, status = session["id"], session["status"]
    if status == "failed":
        raise InputError(
            f"session {sid} failed ({session.get('error') or 'no reason recorded'}); nothing to publish"
        )
    if status == "running":
        raise InputError(f"session {sid} is still running (or was interrupted); nothing to publish")
    holdout = session.get("holdout")
    if not holdout:
        summary = (session.get("recommendation") or {}).get("summary") or "no candidate was confirmed"
        raise InputError(f"session {sid} has no confirmed candidate ({summary}); nothing to publish")
    return next(c for c in session["candidates"] if c["id"] == holdout["candidate"])


def is_recommended(session: dict[str, Any]) -> bool:
    return (session.get("recommendation") or {}).get("action") == "adopt"


# ---------------------------------------------------------------- the figures


def _figures(session: dict[str, Any]) -> dict[str, Any]:
    return session["holdout"]["verdict"]["figures"]


def _arm(figures: dict[str, Any], side: str) -> ArmFigures:
    rate = figures["all_cases"][side]
    mean = "base_mean" if side == "base" else "candidate_mean"

    def metric(name: str) -> float:
        ratio = figures.get(name)
        return float(ratio[mean]) if ratio else 0.0

    return ArmFigures(
        pass_rate=float(rate["rate"] or 0.0),
        pass_interval=(float(rate["low"]), float(rate["high"])),
        tokens=metric("tokens"),
        latency_ms=metric("latency_ms"),
        cost_usd=metric("cost_usd"),
    )


def _change_pct(figures: dict[str, Any], name: str) -> float | None:
    ratio = figures.get(name)
    return None if not ratio or ratio.get("ratio") is None else (float(ratio["ratio"]) - 1.0) * 100.0


def _pass_words(figures: dict[str, Any]) -> str:
    overall = figures["all_cases"]
    if overall["mcnemar_p"] >= figures["alpha"]:
        return "pass rate unchanged"
    return f"pass rate {100 * overall['difference']['diff']:+.0f} pts"


def change_summary(session: dict[str, Any]) -> str:
    """`conciseness, -23% tokens, pass rate unchanged`: the goal, its metric, the pass rate."""
    figures, goal = _figures(session), session["goal"]
    parts = [goal]
    metric = {"conciseness": ("tokens", "tokens"), "speed": ("latency_ms", "latency")}.get(goal)
    if metric:
        change = _change_pct(figures, metric[0])
        if change is not None:
            parts.append(f"{change:+.0f}% {metric[1]}")
    parts.append(_pass_words(figures))
    if not is_recommended(session):
        parts.append(f"not recommended ({session['holdout']['verdict']['outcome']})")
    return ", ".join(parts)


def _repeats(session: dict[str, Any]) -> int:
    overall = _figures(session)["all_cases"]
    if overall.get("cases"):
        return max(1, round(overall["samples"] / overall["cases"]))
    return int(session["settings"].get("repeat") or 1)


def _model(session: dict[str, Any]) -> str:
    settings = session["settings"]
    model = str(settings.get("eval_model") or "unknown model")
    provider = settings.get("eval_provider")
    return f"{model} via {provider}" if provider and provider != "anthropic" else model


def eval_note(session: dict[str, Any]) -> dict[str, Any]:
    """The JSON note attached to the variant commit (what `promptops history` shows)."""
    figures, verdict, chosen = _figures(session), session["holdout"]["verdict"], winner(session)
    overall = figures["all_cases"]
    return {
        "schema": NOTE_SCHEMA,
        "session": session["id"],
        "prompt": session["prompt"]["id"],
        "goal": session["goal"],
        "base_version": session["prompt"]["base_version"],
        "variant_version": chosen["version_id"],
        "candidate": chosen["id"],
        "verdict": verdict["outcome"],
        "headline": verdict["headline"],
        "recommended": is_recommended(session),
        "pass_rate": {"base": overall["base"]["rate"], "variant": overall["candidate"]["rate"]},
        # the variant's interval, for the pass-rate chart of `promptops history --chart`
        "pass_interval": {k: overall["candidate"].get(k) for k in ("low", "high", "confidence")},
        "p_value": overall["mcnemar_p"],
        "tokens_change_pct": _change_pct(figures, "tokens"),
        "latency_change_pct": _change_pct(figures, "latency_ms"),
        "cases": overall.get("cases") or session["holdout"]["cases"],
        "repeats": _repeats(session),
        "model": _model(session),
        "usage": {k: session["usage"].get(k) for k in ("calls", "cached_calls", "cost_usd")},
    }


# ---------------------------------------------------------------- the report


def session_report(session: dict[str, Any], config: Config) -> ReportData:
    """The PR body / sticky comment content of a finished session (`render_report` renders it)."""
    chosen, holdout = winner(session), session["holdout"]
    figures, prompt = _figures(session), session["prompt"]
    recommended = is_recommended(session)
    overall = figures["all_cases"]
    return ReportData(
        key=f"{prompt['id']}/{session['goal']}",
        prompt_id=prompt["id"],
        goal=session["goal"],
        verdict=_verdict_line(session, recommended),
        recommended=recommended,
        base=_arm(figures, "base"),
        variant=_arm(figures, "candidate"),
        p_value=overall["mcnemar_p"],
        cases=overall.get("cases") or holdout["cases"],
        repeats=_repeats(session),
        model=_model(session),
        base_version=prompt["base_version"],
        variant_version=chosen["version_id"],
        hypothesis=chosen.get("hypothesis", ""),
        change_summary=chosen.get("change_summary", ""),
        base_text=_base_text(config, prompt),
        variant_text=chosen["text"],
        case_changes=tuple(
            CaseChange(c["case_id"], c["base"], c["variant"], c.get("note", ""))
            for c in holdout.get("case_changes", ())
        ),
        budget=_budget(session),
        tokens_label="tokens per sample (mean, input + output)",
        notes=_notes(session, chosen),
        outcome=holdout["verdict"]["outcome"],
    )


def _verdict_line(session: dict[str, Any], recommended: bool) -> str:
    verdict = session["holdout"]["verdict"]
    head = "Recommended" if recommended else "Not recommended"
    return (
        f"{head}: {verdict['headline']} for {session['goal']} on {session['holdout']['cases']} cases "
        f"({change_summary(session).split(', ', 1)[1]})"
    )


def _base_text(config: Config, prompt: dict[str, Any]) -> str:
    """The base prompt's text: the blob of its version id (in git once committed), else the file."""
    vid = prompt["base_version"]
    try:
        return read_blobs(config.root, [vid])[vid].decode("utf-8", errors="replace")
    except (ValueError, KeyError, OSError, BadObject, BadName, InputError):  # not committed (or no git)
        path = config.root / prompt["path"]
        return path.read_text(encoding="utf-8") if path.is_file() else ""


def _budget(session: dict[str, Any]) -> str:
    usage, settings = session["usage"], session["settings"]
    calls, cost = usage.get("calls", 0), float(usage.get("cost_usd") or 0.0)
    limits = []
    if settings.get("budget_calls") is not None:
        limits.append(f"{settings['budget_calls']} calls")
    if settings.get("budget_usd") is not None:
        limits.append(f"${float(settings['budget_usd']):.2f}")
    of = f" (budget: {' and '.join(limits)})" if limits else ""
    return f"{calls} LLM calls ({usage.get('cached_calls', 0)} cached), ${cost:.4f}{of}"


def _notes(session: dict[str, Any], chosen: dict[str, Any]) -> tuple[str, ...]:
    search, verdict = session["search"], session["holdout"]["verdict"]
    accepted = sum(1 for c in session["candidates"] if c["invariants"].get("ok"))
    generator = session["settings"].get("generator", "?")
    confirmed = session["holdout"]
    holdout = len((session.get("cases") or {}).get("holdout_ids", ()))
    lines = [
        f"Candidates: {len(session['candidates'])} written ({generator} generator), {accepted} passed the "
        f"invariants, selected on {len(search.get('selection_ids', ()))} of {search['dev_cases']} dev cases; "
        f"{chosen['id']} was confirmed against the base on {confirmed['cases']} cases ({holdout} holdout "
        f"cases selection never saw among them) at a one-sided alpha of {confirmed['alpha'] / 2:.3g}, the "
        f"decision alpha divided among the {confirmed['tested']} candidates selection evaluated.",
        *(f"Verdict reason: {reason}" for reason in verdict["reasons"]),
        f"Session {session['id']}.",
    ]
    return tuple(lines)
