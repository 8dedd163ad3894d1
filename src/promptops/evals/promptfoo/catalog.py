"""Every promptfoo assertion type and what promptops does with it.

One table drives both the importer (convert, rename, or skip with this reason) and the
compatibility table in docs/evals.md, which a test keeps in step with it.
"""

from __future__ import annotations

SAME = "supported"
DIFFERENT = "supported with a difference"
NOT = "not supported"

# promptfoo type -> (status, promptops type or None, what differs / why not)
TYPES: dict[str, tuple[str, str | None, str]] = {
    "equals": (SAME, "equals", ""),
    "contains": (SAME, "contains", ""),
    "icontains": (SAME, "icontains", ""),
    "contains-any": (SAME, "contains-any", ""),
    "contains-all": (SAME, "contains-all", ""),
    "icontains-any": (SAME, "icontains-any", ""),
    "icontains-all": (SAME, "icontains-all", ""),
    "starts-with": (SAME, "starts-with", ""),
    "regex": (
        DIFFERENT,
        "regex",
        "Python regular expressions, not JavaScript ones (same for common patterns)",
    ),
    "is-json": (SAME, "is-json", ""),
    "contains-json": (SAME, "contains-json", ""),
    "word-count": (SAME, "word-count", ""),
    "latency": (SAME, "latency", ""),
    "cost": (SAME, "cost", ""),
    "finish-reason": (SAME, "finish-reason", ""),
    "is-sql": (DIFFERENT, "is-sql", "parsed by sqlglot; allowedColumns is not supported"),
    "is-valid-function-call": (
        DIFFERENT,
        "is-valid-function-call",
        "checks the agent's tool calls against its tools' input_schema",
    ),
    "is-valid-openai-function-call": (
        DIFFERENT,
        "is-valid-function-call",
        "imported as is-valid-function-call",
    ),
    "is-valid-openai-tools-call": (DIFFERENT, "is-valid-function-call", "imported as is-valid-function-call"),
    "llm-rubric": (SAME, "llm-rubric", ""),
    "model-graded-closedqa": (
        DIFFERENT,
        "model-graded-closedqa",
        "graded by promptops's judge prompt worded as a yes/no criterion",
    ),
    "factuality": (
        DIFFERENT,
        "factuality",
        "one pass/fail judgement instead of promptfoo's five categories; options.factuality scores are not read",
    ),
    "model-graded-factuality": (DIFFERENT, "factuality", "imported as factuality"),
    "g-eval": (DIFFERENT, "g-eval", "one judge call (steps and score together) instead of two"),
    "answer-relevance": (
        DIFFERENT,
        "answer-relevance",
        "the judge scores relevance directly; promptfoo compares embeddings of questions generated from the output",
    ),
    "similar": (DIFFERENT, "similar", "needs an OpenAI-compatible /embeddings endpoint (evals.embeddings)"),
    "python": (
        DIFFERENT,
        "python",
        "runs in a subprocess with a time limit; off on pull requests from forks",
    ),
    "javascript": (
        DIFFERENT,
        "javascript",
        "needs node on PATH; simple output.length checks become min-length/max-length/not-empty; a reply of only tool calls is passed as OpenAI-style calls",
    ),
    "assert-set": (SAME, "assert-set", ""),
    "select-best": (
        NOT,
        None,
        "compares the outputs of several prompts for one test; promptops compares two versions with paired statistics (`eval --compare`)",
    ),
    "max-score": (NOT, None, "compares the outputs of several prompts for one test; use `eval --compare`"),
    "context-recall": (
        NOT,
        None,
        "retrieval metrics need the retrieved context of a RAG pipeline, which an agent's prompt eval does not have",
    ),
    "context-relevance": (NOT, None, "retrieval metrics need the retrieved context of a RAG pipeline"),
    "context-faithfulness": (NOT, None, "retrieval metrics need the retrieved context of a RAG pipeline"),
    "conversation-relevance": (NOT, None, "needs promptfoo's multi-turn conversation runs"),
    "moderation": (NOT, None, "needs a moderation API; promptops calls only chat and embeddings endpoints"),
    "levenshtein": (NOT, None, "edit distance is not implemented yet; use similar or equals"),
    "rouge-n": (NOT, None, "n-gram overlap metrics are not implemented; use similar"),
    "rouge-l": (NOT, None, "n-gram overlap metrics are not implemented; use similar"),
    "rouge-s": (NOT, None, "n-gram overlap metrics are not implemented; use similar"),
    "bleu": (NOT, None, "n-gram overlap metrics are not implemented; use similar"),
    "gleu": (NOT, None, "n-gram overlap metrics are not implemented; use similar"),
    "meteor": (NOT, None, "n-gram overlap metrics are not implemented; use similar"),
    "perplexity": (NOT, None, "needs token log-probabilities, which promptops does not request"),
    "perplexity-score": (NOT, None, "needs token log-probabilities, which promptops does not request"),
    "classifier": (NOT, None, "needs a HuggingFace classifier model"),
    "pi": (NOT, None, "needs Prompt Security's API"),
    "guardrails": (NOT, None, "needs a provider's guardrail results"),
    "webhook": (NOT, None, "sends outputs to your server; promptops never posts outputs to third parties"),
    "is-xml": (NOT, None, "XML checks are not implemented yet; use regex or python"),
    "contains-xml": (NOT, None, "XML checks are not implemented yet; use regex or python"),
    "is-html": (NOT, None, "HTML checks are not implemented yet; use regex or python"),
    "contains-html": (NOT, None, "HTML checks are not implemented yet; use regex or python"),
    "contains-sql": (
        NOT,
        None,
        "finding SQL inside prose is not implemented; use is-sql on a SQL-only output",
    ),
    "is-refusal": (NOT, None, "refusal detection is not implemented; use llm-rubric"),
    "human": (NOT, None, "manual grading in promptfoo's web viewer"),
    "ruby": (NOT, None, "promptops runs Python and JavaScript assertions only"),
    "tool-call-f1": (NOT, None, "use tool-call or is-valid-function-call"),
    "skill-used": (NOT, None, "needs promptfoo's agent traces"),
    "search-rubric": (NOT, None, "needs a web-search judge"),
    "trace-error-spans": (NOT, None, "needs OpenTelemetry traces of the run"),
    "trace-span-count": (NOT, None, "needs OpenTelemetry traces of the run"),
    "trace-span-duration": (NOT, None, "needs OpenTelemetry traces of the run"),
    "trajectory:goal-success": (NOT, None, "needs promptfoo's agent trajectories"),
    "trajectory:tool-args-match": (NOT, None, "needs promptfoo's agent trajectories; use tool-call"),
    "trajectory:tool-used": (NOT, None, "needs promptfoo's agent trajectories; use tool-call"),
    "trajectory:tool-sequence": (NOT, None, "needs promptfoo's agent trajectories"),
    "trajectory:step-count": (NOT, None, "needs promptfoo's agent trajectories"),
    "similar:cosine": (DIFFERENT, "similar", "imported as similar (cosine)"),
    "similar:dot": (NOT, None, "only cosine similarity is implemented"),
    "similar:euclidean": (NOT, None, "only cosine similarity is implemented"),
}

# The config keys of a promptfoo config: (status, what promptops does).
CONFIG_KEYS: dict[str, tuple[str, str]] = {
    "description": (SAME, "kept as the cases file's description"),
    "prompts": (
        DIFFERENT,
        "inline text, file:// text, chat JSON/YAML (system, user, earlier turns as few-shot examples) and globs become the agent's prompt files; prompt functions (.py/.js) and Nunjucks logic are refused",
    ),
    "providers": (
        DIFFERENT,
        "the first provider's model becomes agent.yaml's model for a new agent, with temperature/max_tokens/top_p; the others are reported",
    ),
    "tests": (
        SAME,
        "a list, file:// YAML/JSON/JSONL/CSV, globs; generators in code and remote sheets or datasets are refused",
    ),
    "defaultTest": (
        SAME,
        "inline or file://; its vars, assertions and threshold become `defaults`, its metadata goes to every case",
    ),
    "tests[].vars": (
        SAME,
        "file:// vars are loaded (text, JSON, YAML; globs give a list); list vars expand into one case each, as promptfoo does",
    ),
    "tests[].assert": (SAME, "see the assertion table"),
    "tests[].threshold": (SAME, "kept"),
    "tests[].metadata": (SAME, "kept"),
    "tests[].description": (SAME, "kept, and the case id is made from it"),
    "tests[].options.provider": (
        SAME,
        "becomes the judge (or embedding) model of the test's model-graded (or similar) assertions",
    ),
    "tests[].options.rubricPrompt": (SAME, "becomes the rubricPrompt of the test's model-graded assertions"),
    "tests[].options.disableVarExpansion": (SAME, "list vars stay one value"),
    "tests[].options.transform": (
        NOT,
        "the output transform is JavaScript run before assertions; reported, assertions see the raw output",
    ),
    "tests[].options.prefix / suffix": (NOT, "promptops sends the agent's prompts as they are; reported"),
    "tests[].assert[].transform": (
        NOT,
        "the assertion would check a transformed output; it is left out and reported",
    ),
    "tests[].provider / providers": (NOT, "a case runs on the agent's model; reported"),
    "tests[].providerOutput": (NOT, "promptops judges real outputs only; reported"),
    "tests[].assertScoringFunction": (
        NOT,
        "cases are scored by the weighted mean of their assertions (with threshold); reported",
    ),
    "scenarios": (NOT, "write the combinations as cases; reported"),
    "evaluateOptions": (
        NOT,
        "concurrency, repeats and caching are promptops settings (provider.max_concurrency, evals.repeat, cache); reported",
    ),
    "env, outputPath, sharing, commandLineOptions, nunjucksFilters, derivedMetrics, extensions, redteam, tracing": (
        NOT,
        "no promptops equivalent; each is reported",
    ),
}
