"""Rendering and running cases through an LLMClient with a scripted in-process provider."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import jsonschema
import pytest

from promptops.config import load_config
from promptops.errors import InputError
from promptops.evals import PromptSet, load_suite, run_eval, run_evals
from promptops.evals.assertions import REGISTRY
from promptops.evals.cases import Suite
from promptops.evals.render import render_case
from promptops.evals.results import load_run, save_run
from promptops.llm.client import LLMClient
from promptops.llm.errors import BudgetExceeded, LLMError
from promptops.llm.types import Completion, CompletionRequest, ToolCall
from promptops.repo.agents import Agent
from promptops.schemas import load_schema
from tests.evals.support import AGENT_DIR, agent_at, agent_repo, last_user, scripted_client

CASES = """\
cases:
  - id: refund
    vars: {customer_message: "I want a refund"}
    messages:
      - {role: user, content: "Earlier question"}
      - {role: assistant, content: "Earlier answer"}
    assert: [{type: contains, value: refund}]
  - id: hello
    vars: {customer_message: "hello there"}
    repeat: 3
    assert: [{type: icontains, value: HELLO}]
"""


def setup(tmp_path: Path, cases: str = CASES, extra: dict[str, str] | None = None):
    repo = agent_repo(tmp_path, cases, extra)
    agent = agent_at(repo)
    return repo, agent, load_suite(agent, load_config(repo))


def test_a_case_is_rendered_as_the_agent_runs(tmp_path: Path) -> None:
    _, agent, suite = setup(tmp_path)
    request = render_case(agent, suite.cases[0], model="m", repeat_index=2).request
    assert request.system == "You are a support agent. Follow the refund policy.\n"
    assert [(t.name, t.description) for t in request.tools] == [
        ("lookup_order", "Look up an order by its id.\n")
    ]
    assert request.tools[0].input_schema["required"] == ["order_id"]
    assert list(request.messages) == [
        {"role": "user", "content": "Where is my order?"},  # few-shot example
        {"role": "assistant", "content": "Let me look it up."},
        {"role": "user", "content": "Earlier question"},  # the case's prior turns
        {"role": "assistant", "content": "Earlier answer"},
        {"role": "user", "content": "Customer says: I want a refund\n"},
    ]
    assert (request.model, request.params, request.sample) == ("m", {"temperature": 0, "max_tokens": 512}, 2)


def test_assistant_template_is_a_prefill_and_part_of_the_output(tmp_path: Path) -> None:
    extra = {f"{AGENT_DIR}/prefill.md": "Dear {{name}},"}
    repo, _, _ = setup(tmp_path, "defaults: {vars: {name: Ann}}\n" + CASES, extra)
    yaml_path = repo / AGENT_DIR / "agent.yaml"
    yaml_path.write_text(
        yaml_path.read_text().replace(
            "user_template: user.md}", "user_template: user.md, assistant_template: prefill.md}"
        )
    )
    agent = agent_at(repo)
    suite = load_suite(agent, load_config(repo))
    client, provider = scripted_client(lambda r: " here is your refund")
    run = asyncio.run(run_eval(client, agent, suite, case_ids=["refund"]))
    assert provider.requests[0].messages[-1] == {"role": "assistant", "content": "Dear Ann,"}
    assert run.results[0].output == "Dear Ann, here is your refund" and run.results[0].passed is True


def test_a_var_missing_from_a_variant_template_stops_before_any_call(tmp_path: Path) -> None:
    _, agent, suite = setup(tmp_path)
    variant = agent.with_texts({"user_template": "{{customer_message}} (order {{order_id}})"})
    client, provider = scripted_client(lambda r: "x")
    with pytest.raises(
        InputError, match="case 'refund' lacks var 'order_id', which support-agent/user_template uses"
    ):
        asyncio.run(run_eval(client, variant, suite))
    assert provider.requests == []


def test_repeats_are_samples_with_their_own_index(tmp_path: Path) -> None:
    _, agent, suite = setup(tmp_path)
    client, provider = scripted_client(lambda r: f"hello refund sample {r.sample}")
    run = asyncio.run(run_eval(client, agent, suite, repeat=2))
    keys = sorted((r.case_id, r.repeat_index) for r in run.results)
    assert keys == [
        ("hello", 0),
        ("hello", 1),
        ("hello", 2),
        ("refund", 0),
        ("refund", 1),
    ]  # case repeat 3 wins
    assert sorted(r.sample for r in provider.requests) == [0, 0, 1, 1, 2]
    assert run.summary.samples == run.summary.planned == 5 and run.summary.cases == 2
    assert run.summary.pass_rate == 1.0 and run.summary.latency_p50_ms == 12.0
    assert run.results[0].output == "hello refund sample 0"


def test_a_run_prints_short_whatever_its_size(tmp_path: Path) -> None:
    # asyncio.run formats the finished main task's result (the runs) when it restores the
    # SIGINT handler: a repr holding every sample made the end of a 2,000-case run wait.
    _, agent, suite = setup(tmp_path)
    client, _ = scripted_client(lambda r: "hello refund " + "x" * 500)
    run = asyncio.run(run_eval(client, agent, suite, repeat=40))
    assert len(run.results) == 80 and run.results[0].output.endswith("x" * 500)
    assert "x" * 500 not in repr(run) and len(repr(run)) < 2000


def test_weights_and_threshold_decide_a_case(tmp_path: Path) -> None:
    cases = """\
defaults: {vars: {customer_message: x}}
cases:
  - id: all-must-pass
    assert: [{type: contains, value: a}, {type: contains, value: zzz, weight: 0}]
  - id: weighted
    threshold: 0.75
    assert: [{type: contains, value: a, weight: 3}, {type: contains, value: zzz}]
  - id: weighted-short
    threshold: 0.8
    assert: [{type: contains, value: a, weight: 3}, {type: contains, value: zzz}]
"""
    _, agent, suite = setup(tmp_path, cases)
    client, _ = scripted_client(lambda r: "a")
    run = asyncio.run(run_eval(client, agent, suite))
    by_id = {r.case_id: r for r in run.results}
    assert (by_id["all-must-pass"].passed, by_id["all-must-pass"].score) == (
        True,
        1.0,
    )  # weight 0 only reports
    assert by_id["all-must-pass"].assertions[1].passed is False
    assert (by_id["weighted"].passed, by_id["weighted"].score) == (True, 0.75)
    assert (by_id["weighted-short"].passed, by_id["weighted-short"].score) == (False, 0.75)


def every_type_cases() -> str:
    values = {
        "word-count": "{min: 1}",
        "latency": 1000,
        "cost": 1,
        "finish-reason": "stop",
        "is-json": "null",
        "contains-json": "null",
        "tool-call": "lookup_order",
        "llm-rubric": "is helpful",
        "not-empty": "null",
        "min-length": 1,
        "max-length": 100,
        "is-sql": "null",
        "is-valid-function-call": "null",
        "answer-relevance": "null",
        "assert-set": "null, assert: [{type: contains, value: x}]",
    }
    lines = [f"      - {{type: {name}, value: {values.get(name, 'x')}}}" for name in REGISTRY]
    return "cases:\n  - id: all\n    vars: {customer_message: x}\n    assert:\n" + "\n".join(lines) + "\n"


def test_a_failed_model_call_is_an_error_for_every_assertion_type(tmp_path: Path) -> None:
    _, agent, suite = setup(tmp_path, every_type_cases())
    client, _ = scripted_client(lambda r: LLMError("server returned 529 overloaded after 4 retries"))
    run = asyncio.run(run_eval(client, agent, suite))
    (result,) = run.results
    assert result.passed is None and result.status == "error" and result.output is None
    assert result.error == "model call failed: server returned 529 overloaded after 4 retries"
    assert [a.type for a in result.assertions] == list(REGISTRY)
    assert all(a.passed is None for a in result.assertions)
    assert (run.summary.errors, run.summary.failed, run.summary.error_rate, run.summary.pass_rate) == (
        1,
        0,
        1.0,
        0.0,
    )


def test_errors_are_kept_apart_from_fails(tmp_path: Path) -> None:
    _, agent, suite = setup(tmp_path)

    def reply(request: CompletionRequest) -> Completion | str | LLMError:
        if "refund" in last_user(request):
            return LLMError("timed out")
        return "nope" if request.sample == 0 else "hello"

    client, _ = scripted_client(reply)
    run = asyncio.run(run_eval(client, agent, suite))
    assert [r.status for r in sorted(run.results, key=lambda r: (r.case_id, r.repeat_index))] == [
        "fail",
        "pass",
        "pass",
        "error",
    ]
    s = run.summary
    assert (s.passed, s.failed, s.errors, s.samples) == (2, 1, 1, 4)
    assert s.pass_rate == 0.5 and 0.15 < s.pass_rate_low < 0.16 and 0.84 < s.pass_rate_high < 0.85


def test_base_and_head_share_one_concurrency_limit(tmp_path: Path) -> None:
    cases = "cases:\n" + "".join(f"  - {{id: c{i}, vars: {{customer_message: m{i}}}}}\n" for i in range(20))
    _, agent, suite = setup(tmp_path, cases)
    in_flight = peak = 0

    class Slow:
        name, base_url = "slow", None

        async def complete(self, request: CompletionRequest) -> Completion:
            nonlocal in_flight, peak
            in_flight += 1
            peak = max(peak, in_flight)
            await asyncio.sleep(0.01)
            in_flight -= 1
            return Completion(text=request.system[:10], tool_calls=(ToolCall("lookup_order", {}),))

        async def aclose(self) -> None: ...

    from promptops.llm.client import LLMClient

    head = agent.with_texts({"system": "Be brief."})
    sets = [PromptSet("base", agent), PromptSet("head", head)]
    base_run, head_run = asyncio.run(run_evals(LLMClient(Slow(), max_concurrency=5), sets, suite))
    assert peak == 5
    assert {r.output for r in base_run.results} == {"You are a "} and {
        r.output for r in head_run.results
    } == {"Be brief."}
    assert base_run.prompt_versions["system"] != head_run.prompt_versions["system"]
    assert base_run.prompt_versions["user_template"] == head_run.prompt_versions["user_template"]
    assert head_run.results[0].tool_calls == ({"name": "lookup_order", "arguments": {}, "id": ""},)


def ten_cases_with_a_call_budget(tmp_path: Path, limit: int) -> tuple[Agent, Suite, LLMClient]:
    """Ten cases, and a client whose calls after the `limit`-th raise BudgetExceeded."""
    cases = "cases:\n" + "".join(f"  - {{id: c{i}, vars: {{customer_message: m{i}}}}}\n" for i in range(10))
    _, agent, suite = setup(tmp_path, cases)
    calls = 0

    def reply(request: CompletionRequest) -> Completion | str | LLMError:
        nonlocal calls
        calls += 1
        if calls > limit:
            raise BudgetExceeded(f"budget of {limit} calls reached")
        return "ok"

    client, _ = scripted_client(reply, max_concurrency=1)
    return agent, suite, client


def test_budget_exhaustion_keeps_what_finished(tmp_path: Path) -> None:
    agent, suite, client = ten_cases_with_a_call_budget(tmp_path, 4)
    run = asyncio.run(run_eval(client, agent, suite))
    assert run.stopped == "budget"
    assert len(run.results) == 4 and run.summary.planned == 10 and run.summary.samples == 4


def test_cancelling_a_run_returns_the_finished_samples(tmp_path: Path) -> None:
    cases = "cases:\n" + "".join(f"  - {{id: c{i}, vars: {{customer_message: m{i}}}}}\n" for i in range(10))
    _, agent, suite = setup(tmp_path, cases)

    async def main():
        gate = asyncio.Event()

        class Gated:
            name, base_url = "gated", None
            served = 0

            async def complete(self, request: CompletionRequest) -> Completion:
                if Gated.served >= 3:
                    await gate.wait()  # the remaining calls hang until the user presses Ctrl-C
                Gated.served += 1
                return Completion(text="ok")

            async def aclose(self) -> None: ...

        from promptops.llm.client import LLMClient

        seen: list[int] = []
        task = asyncio.create_task(
            run_eval(LLMClient(Gated(), 2), agent, suite, progress=lambda done, total: seen.append(done))
        )
        while len(seen) < 3:
            await asyncio.sleep(0.001)
        task.cancel()  # what asyncio.run does on SIGINT
        return await task, seen

    run, seen = asyncio.run(main())
    assert run.stopped == "interrupted" and len(run.results) == 3 and seen == [1, 2, 3]
    assert run.summary.planned == 10


def test_results_file_matches_its_schema_and_reads_back(tmp_path: Path) -> None:
    repo, agent, suite = setup(tmp_path)
    client, _ = scripted_client(lambda r: "hello" if r.sample else LLMError("boom"))
    run = asyncio.run(run_eval(client, agent, suite, repeat=2))
    path = save_run(run, repo)
    assert path.parent == repo / ".promptops" / "runs" and path.name == f"{run.run_id}.json"
    data = json.loads(path.read_text())
    validator = jsonschema.Draft202012Validator(
        load_schema("eval_run"), format_checker=jsonschema.FormatChecker()
    )
    assert list(validator.iter_errors(data)) == []
    assert data["prompt_versions"]["system"] == agent.prompts["system"].version_id
    assert data["provider"] == "scripted" and data["model"] == "claude-sonnet-5-5"
    assert data["suite_path"] == f"{AGENT_DIR}/evals/cases.yaml"
    assert load_run(path) == run


def test_a_budget_stop_leaves_base_and_head_with_the_same_samples(tmp_path: Path) -> None:
    agent, suite, client = ten_cases_with_a_call_budget(tmp_path, 6)
    sets = [PromptSet("base", agent), PromptSet("head", agent.with_texts({"system": "Be brief."}))]
    base, head = asyncio.run(run_evals(client, sets, suite, repeat=2))
    keys = [(r.case_id, r.repeat_index) for r in base.results]
    assert keys == [(r.case_id, r.repeat_index) for r in head.results] == [("c0", 0), ("c0", 1), ("c1", 0)]
    assert base.stopped == head.stopped == "budget"
