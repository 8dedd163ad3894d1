"""`promptops import-promptfoo` on the corpus of promptfoo configs in tests/fixtures/promptfoo.

Each test imports a suite as a user would, then checks what a user sees: the files
written, the report lines naming each item left out or changed, and that the result
loads and runs as `promptops eval` would run it.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import yaml

from promptops.config import load_config
from promptops.evals import load_suite, run_eval
from promptops.repo.agents import load_agent
from tests.conftest import run_cli
from tests.evals.support import AGENT_DIR, agent_repo, scripted_client
from tests.gitrepo import make_repo

CORPUS = Path(__file__).parents[1] / "fixtures" / "promptfoo"


def config_of(suite: str) -> str:
    return str(CORPUS / suite / "promptfooconfig.yaml")


def imported(tmp_path: Path, suite: str, *args: str) -> tuple[Path, str]:
    repo = make_repo(tmp_path)
    result = run_cli(repo, "import-promptfoo", config_of(suite), *args)
    assert result.exit_code == 0, result.stderr
    return repo, result.stdout


def read(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def test_chat_prompt_file_creates_the_agent_with_examples_and_model(tmp_path: Path) -> None:
    repo, out = imported(tmp_path, "support-chat", "--agent", "acme")
    folder = repo / "prompts" / "acme"
    assert out.splitlines()[0] == f"created agent acme: {folder / 'evals/cases.yaml'}: 5 cases, 10 assertions"
    spec = read(folder / "agent.yaml")
    assert spec["model"] == "gpt-4o-mini" and spec["params"] == {"temperature": 0.2, "max_tokens": 300}
    assert spec["prompts"] == {"user_template": "user.md"} and spec["evals"] == "evals/cases.yaml"
    # the system message uses {{lang}}, so it opens the user template (and says so)
    assert (folder / "user.md").read_text() == (
        "You are the support assistant of Acme. Answer in {{lang}}.\n\n{{question}}\n"
    )
    assert "note: prompts[0]: the system message uses vars" in out
    assert read(folder / "examples.yaml") == [
        {"user": "Where is my order?", "assistant": "Could you give me the order number?"}
    ]
    assert "note: providers[0].config.response_format: provider setting dropped" in out


def test_tests_from_globs_csv_var_files_defaults_file_and_list_expansion(tmp_path: Path) -> None:
    repo, out = imported(tmp_path, "support-chat", "--agent", "acme")
    suite = load_suite(load_agent(load_config(repo), "acme"), load_config(repo))
    cases = {c.id: c for c in suite.cases}
    assert list(cases) == ["refund", "order-status", "cancel", "long-question", "long-question-2"]
    # defaultTest: file://default.yaml -> defaults, with its judge provider
    assert [a.label for a in cases["refund"].assertions] == [
        "not-icontains",
        "llm-rubric",
        "icontains",
        "factuality",
    ]
    assert cases["refund"].assertions[1].provider == "claude-haiku-4-5"
    # CSV: __expected cells, __description, __metadata:area; similar(0.8) keeps its threshold
    status = cases["order-status"]
    assert status.description == "order status" and status.metadata == {"area": "shipping"}
    assert [(a.type, a.value, a.threshold) for a in status.assertions[2:]] == [
        ("contains", "12", None),
        ("similar", ("Your order is on its way",), 0.8),
    ]
    # file:// var read; the list var lang expanded into one case per item
    assert cases["long-question"].vars["question"].startswith("I ordered a blue mug last week")
    assert [cases[k].vars["lang"] for k in ("long-question", "long-question-2")] == ["en", "fr"]
    assert "note: tests[2].vars: list var lang (2) expanded into 2 cases, as promptfoo does" in out
    long_q = [a.label for a in cases["long-question"].assertions]
    assert long_q == ["not-icontains", "llm-rubric", "min-length", "python", "similar"]
    assert "note: tests[2].assert[0]: javascript 'output.length > 20' becomes min-length 21" in out
    assert (repo / "prompts/acme/evals/checks.py").read_text() == (
        CORPUS / "support-chat/checks.py"
    ).read_text()


def test_everything_left_out_is_reported_by_place(tmp_path: Path) -> None:
    _, out = imported(tmp_path, "support-chat", "--agent", "acme")
    skipped = [line for line in out.splitlines() if line.startswith("not converted:")]
    assert skipped == [
        "not converted: tests/cases.csv:3 options.prefix: promptops sends the agent's prompt as it is, "
        "without a per-test prefix",
        "not converted: tests[2].options.transform: the output transform is code run before the assertions; "
        "they check the raw output",
        "not converted: tests[2].assert[3]: type 'select-best' left out: compares the outputs of several "
        "prompts for one test; promptops compares two versions with paired statistics (`eval --compare`)",
    ]


def test_the_imported_suite_runs_its_python_check_and_defaults(tmp_path: Path) -> None:
    repo, _ = imported(tmp_path, "support-chat", "--agent", "acme")
    config = load_config(repo)
    agent = load_agent(config, "acme")
    suite = load_suite(agent, config)

    def reply(request) -> str:
        text = str(request.messages[-1]["content"])
        if "You are grading one reply" in text:
            return '{"pass": true, "score": 1, "reason": "polite"}'
        return "Sorry, the blue mug is delayed; it ships within 30 days." if "mug" in text else "ok"

    client, _ = scripted_client(reply)
    run = asyncio.run(run_eval(client, agent, suite, case_ids=["long-question"]))
    by_type = {a.type: a for a in run.results[0].assertions}
    assert by_type["python"].passed is False and by_type["python"].reason == "python returned false"
    assert by_type["min-length"].passed is True
    assert by_type["similar"].passed is None  # no embeddings endpoint configured: an error, not a pass
    assert "needs an embeddings endpoint" in by_type["similar"].reason


def test_several_prompts_make_one_agent_each_or_prompt_picks_one(tmp_path: Path) -> None:
    repo, out = imported(tmp_path, "translation", "--agent", "blurb")
    assert sorted(p.name for p in (repo / "prompts").iterdir()) == ["blurb-detailed", "blurb-terse"]
    assert (repo / "prompts/blurb-terse/user.md").read_text() == "Translate into {{language}}: {{text}}\n"
    assert "note: prompts: 2 prompts: one agent each (blurb-terse, blurb-detailed); --prompt picks one" in out
    picked_repo, picked = imported(
        tmp_path / "picked", "translation", "--agent", "blurb", "--prompt", "detailed"
    )
    assert [p.name for p in (picked_repo / "prompts").iterdir()] == ["blurb"]
    assert (picked_repo / "prompts/blurb/user.md").read_text() == (
        CORPUS / "translation/detailed.txt"
    ).read_text()
    assert "note: prompts: 1 other prompt(s) not imported (--prompt detailed)" in picked


def test_jsonl_tests_keep_assert_sets_weights_and_thresholds(tmp_path: Path) -> None:
    repo, out = imported(tmp_path, "translation", "--agent", "blurb", "--prompt", "terse")
    data = read(repo / "prompts/blurb/evals/cases.yaml")
    mug = data["cases"][0]
    assert mug["vars"] == {"language": "French", "text": "Blue ceramic mug, 350 ml, dishwasher safe."}
    assert mug["assert"][0] == {
        "type": "assert-set",
        "threshold": 0.5,
        "assert": [{"type": "icontains", "value": "350"}, {"type": "not-icontains", "value": "ceramic"}],
    }
    assert mug["assert"][1]["weight"] == 2
    shirt = data["cases"][2]
    assert shirt["threshold"] == 0.6 and [a["type"] for a in shirt["assert"]] == ["contains", "word-count"]
    assert "not converted: cases.jsonl:2 assert[1]: type 'levenshtein' left out" in out


def test_rubric_prompt_from_default_test_file_and_judge_provider(tmp_path: Path) -> None:
    repo, out = imported(tmp_path, "graded-tone", "--agent", "tone")
    config = load_config(repo)
    suite = load_suite(load_agent(config, "tone"), config)
    late = next(c for c in suite.cases if c.id == "late-parcel")
    rubric, geval = late.assertions
    assert rubric.rubric_prompt == (CORPUS / "graded-tone/rubric.txt").read_text()
    assert rubric.provider == "claude-haiku-4-5" and geval.type == "g-eval" and geval.threshold == 0.6
    assert geval.rubric_prompt == rubric.rubric_prompt  # options.rubricPrompt applies to every graded type
    assert (
        repo / "prompts/tone/system.md"
    ).read_text() == "You answer complaints for an online shop. Be brief and kind.\n"
    assert (
        "not converted: tests/broken.yaml [0].options.prefix: promptops sends the agent's prompt as it is"
        in out
    )


def test_rag_suite_maps_text_and_embedding_providers_and_reports_context_metrics(tmp_path: Path) -> None:
    repo, out = imported(tmp_path, "rag-answers", "--agent", "rag")
    data = read(repo / "prompts/rag/evals/cases.yaml")
    first = {a["type"]: a for a in data["cases"][0]["assert"]}
    assert first["factuality"]["provider"] == "claude-haiku-4-5"
    assert first["similar"]["provider"] == "text-embedding-3-small"
    assert data["cases"][0]["vars"]["context"] == (CORPUS / "rag-answers/docs/returns.md").read_text()
    # file://docs/*.md is a list of files, which promptfoo expands into one test each
    assert [c["vars"]["context"].splitlines()[0] for c in data["cases"][1:]] == ["# Returns", "# Shipping"]
    assert "not converted: tests[0].assert[2]: type 'context-faithfulness' left out" in out
    assert "not converted: tests[1].assert[1]: type 'context-recall' left out" in out


def test_csv_suite_with_defaults_and_native_checks(tmp_path: Path) -> None:
    repo, out = imported(tmp_path, "sql-generator", "--agent", "sql")
    data = read(repo / "prompts/sql/evals/cases.yaml")
    assert data["defaults"]["assert"] == [
        {
            "type": "is-sql",
            "value": {"databaseType": "PostgreSQL", "allowedTables": ["orders", "customers", "items"]},
        },
        {"type": "not-empty"},
    ]
    assert data["cases"][0]["metadata"] == {"difficulty": "easy"}
    assert data["cases"][0]["assert"][1] == {"type": "python", "value": "'where' in output.lower()"}
    assert data["cases"][2]["threshold"] == 0.5 and "threshold" not in data["cases"][0]
    assert "{{ question }}" in (repo / "prompts/sql/user.md").read_text()


def test_refused_configs_write_nothing_and_say_where(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    refusals = {
        "nunjucks-logic": "promptfooconfig.yaml:2:5: error: prompts[0]: uses Nunjucks '{% if vip %}'",
        "generated-tests": "generate_tests.py: error: tests files must be YAML, JSON, JSONL or CSV "
        "(test generators written in code are not run)",
    }
    for suite, message in refusals.items():
        result = run_cli(repo, "import-promptfoo", config_of(suite), "--agent", "x")
        assert result.exit_code == 2 and message in result.stderr, (suite, result.stderr)
    js = run_cli(repo, "import-promptfoo", str(CORPUS / "js-config/promptfooconfig.js"), "--agent", "x")
    assert js.exit_code == 2 and "a config written in JavaScript cannot be read" in js.stderr
    assert not (repo / "prompts").exists()


EXISTING = """\
description: support bot
prompts: ["Customer writes: {{customer_message}}"]
providers: [anthropic:messages:claude-sonnet-5-5]
defaultTest:
  vars: {customer_message: hello}
  assert:
    - type: not-icontains
      value: as an ai
  options: {provider: openai:gpt-4o, transform: output.trim()}
tests:
  - description: Refund request
    vars: {customer_message: I want a refund}
    assert:
      - {type: icontains, value: refund, weight: 2}
      - {type: llm-rubric, value: Polite, provider: "anthropic:messages:claude-haiku-4-5", metric: tone}
      - {type: latency, threshold: 5000}
  - vars: {customer_message: "{{name}}"}
    threshold: 0.5
    assert: [{type: regex, value: '\\d+'}]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "promptfooconfig.yaml"
    path.write_text(text)
    return path


def test_existing_agent_keeps_its_prompts_unless_forced(tmp_path: Path) -> None:
    repo = agent_repo(tmp_path, "# no cases yet\ncases: []\n")
    user_md = repo / AGENT_DIR / "user.md"
    before = user_md.read_text()
    result = run_cli(repo, "import-promptfoo", str(write(tmp_path, EXISTING)), "--agent", "support-agent")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[0].endswith("evals/cases.yaml: 2 cases, 5 assertions")
    assert user_md.read_text() == before
    assert "note: prompts[0]: agent 'support-agent' exists: its own prompt files are kept" in result.stdout
    assert "not converted: defaultTest.options.transform:" in result.stdout
    suite = load_suite(load_agent(load_config(repo), "support-agent"), load_config(repo))
    refund = suite.cases[0]
    assert [a.label for a in refund.assertions] == ["not-icontains", "icontains", "llm-rubric", "latency"]
    assert refund.assertions[2].provider == "claude-haiku-4-5" and refund.assertions[3].value == 5000.0
    forced = run_cli(
        repo, "import-promptfoo", str(write(tmp_path, EXISTING)), "--agent", "support-agent", "--force"
    )
    assert forced.exit_code == 0, forced.stderr
    assert user_md.read_text() == "Customer writes: {{customer_message}}\n"


def test_existing_cases_are_kept_without_force(tmp_path: Path) -> None:
    repo = agent_repo(tmp_path, "cases:\n  - {id: mine, vars: {customer_message: x}}\n")
    cases = repo / AGENT_DIR / "evals" / "cases.yaml"
    before = cases.read_text()
    refused = run_cli(repo, "import-promptfoo", str(write(tmp_path, EXISTING)), "--agent", "support-agent")
    assert refused.exit_code == 2 and "already holds cases; pass --force to replace them" in refused.stderr
    assert cases.read_text() == before


BAD = {
    "bad regex": (
        "tests:\n  - vars: {customer_message: x}\n    assert: [{type: regex, value: '(a'}]\n",
        "promptfooconfig.yaml:3:35: error: tests[0].assert[0].value: regex: regex '(a' does not compile",
    ),
    "no value after an assertion left out": (
        "tests:\n  - vars: {customer_message: x}\n    assert: [{type: moderation}, {type: icontains}]\n",
        "promptfooconfig.yaml:3:34: error: tests[0].assert[1]: icontains: needs a `value`",
    ),
    "tests file missing": (
        "tests: file://tests.csv\n",
        "promptfooconfig.yaml:1:8: error: tests: 'file://tests.csv': file",
    ),
    "tests from a sheet": (
        "tests: https://docs.google.com/spreadsheets/d/abc\n",
        "tests from URLs, sheets or datasets are not imported",
    ),
    "missing template var": (
        "tests:\n  - vars: {message: x}\n",
        "promptfooconfig.yaml:2:5: error: tests[0]: would not load as promptops cases: "
        "cases[0].vars: case 'test-1' lacks var 'customer_message'",
    ),
    "malformed yaml": ("tests: [\n", "promptfooconfig.yaml:2:1: error:"),
    "bad schema": (
        "tests:\n  - vars: {customer_message: x}\n    assert:\n      - type: is-json\n"
        "        value: {type: 12}\n",
        "promptfooconfig.yaml:5:16: error: tests[0].assert[0].value: is-json: invalid JSON Schema",
    ),
    "var used in a value that no case sets": (
        "tests:\n  - vars: {customer_message: x}\n    assert: [{type: contains, value: '{{name}}'}]\n",
        "promptfooconfig.yaml:2:5: error: tests[0]: would not load as promptops cases: "
        "cases[0].assert[0].value: case 'test-1': uses var 'name', which the case does not set",
    ),
    "missing python file": (
        "tests:\n  - vars: {customer_message: x}\n    assert: [{type: python, value: file://nope.py}]\n",
        "promptfooconfig.yaml:3:36: error: tests[0].assert[0].value: 'file://nope.py': file",
    ),
}


def test_invalid_input_writes_nothing(tmp_path: Path) -> None:
    repo = agent_repo(tmp_path, "cases: []\n")
    cases = repo / AGENT_DIR / "evals" / "cases.yaml"
    before = cases.read_text()
    for name, (text, message) in BAD.items():
        result = run_cli(repo, "import-promptfoo", str(write(tmp_path, text)), "--agent", "support-agent")
        assert result.exit_code == 2, name
        assert message in result.stderr, (name, result.stderr)
        assert cases.read_text() == before, name
    unknown = run_cli(
        repo,
        "import-promptfoo",
        str(write(tmp_path, "tests: [{vars: {customer_message: x}}]\n")),
        "--agent",
        "support-agnet",
    )
    assert unknown.exit_code == 2
    assert (
        "unknown agent 'support-agnet'; closest: support-agent (the promptfoo config has no `prompts:`"
        in (unknown.stderr)
    )


def test_prompt_globs_and_files_of_several_prompts(tmp_path: Path) -> None:
    repo, out = imported(tmp_path, "prompt-variants", "--agent", "eta")
    agents = sorted(p.name for p in (repo / "prompts").iterdir())
    assert agents == ["eta-plain", "eta-styles-1", "eta-styles-2"]
    assert (repo / "prompts/eta-styles-2/user.md").read_text() == (
        "You are a logistics assistant. Estimate the delivery time to {{city}} and say what it depends on.\n"
    )
    for agent in agents:
        suite = load_suite(load_agent(load_config(repo), agent), load_config(repo))
        assert [c.vars for c in suite.cases] == [{"city": "Lyon"}]


CSV = """\
question,__expected1,__expected2,__config:__expected2:threshold,__metric,__metadata:tags[],__providerOutput,__foo,_description
"Is the mug, blue?",icontains: blue,similar(0.6): The mug is blue,0.9,colour,"a,b\\,c",canned,x,typo
Size?,"contains-any: S, M",,,,,,,
"""


def test_csv_columns_as_promptfoo_reads_them(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    (tmp_path / "tests.csv").write_text(CSV)
    config = tmp_path / "promptfooconfig.yaml"
    config.write_text('prompts: ["Q: {{question}}"]\ntests: file://tests.csv\n')
    result = run_cli(repo, "import-promptfoo", str(config), "--agent", "csv")
    assert result.exit_code == 0, result.stderr
    first, second = read(repo / "prompts/csv/evals/cases.yaml")["cases"]
    assert first["vars"] == {"question": "Is the mug, blue?", "_description": "typo"}
    assert first["assert"] == [
        {"type": "icontains", "value": "blue", "metric": "colour"},
        {"type": "similar", "value": "The mug is blue", "threshold": 0.9, "metric": "colour"},
    ]
    assert first["metadata"] == {"tags": ["a", "b,c"]}
    assert second["assert"] == [{"type": "contains-any", "value": ["S", "M"]}]
    assert (
        "not converted: tests.csv:2 providerOutput: promptops judges real model outputs only" in result.stdout
    )
    assert "not converted: tests.csv:2 __foo: an unknown promptfoo CSV column" in result.stdout
    assert "note: tests.csv:2 _description: kept as a var; did you mean `__description`" in result.stdout
