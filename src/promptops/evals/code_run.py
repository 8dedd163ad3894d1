"""`python` and `javascript` assertions: the user's code, run in a subprocess with a time limit.

Inputs follow promptfoo: `output` (the model's text, or its tool calls when it only
called tools) and `context` ({prompt, vars, test, config}). Inline code on one line is an
expression; several lines are a function body that must `return`. `file://check.py`
calls `get_assert(output, context)` (or the function named after `:`); `file://check.js`
calls the module's exported function (or the named export). The result may be a
boolean, a score (passes above 0, or at `threshold` when set) or {pass, score, reason}.
Without `node` on PATH a javascript assertion is an error saying so; a timeout, a crash
or an unreadable result is an error too, never a pass.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import sys
from typing import Any

from promptops.evals.assertions import (
    AssertionContext,
    AssertionOutcome,
    AssertionSpec,
    Check,
    CodeSpec,
    conclude,
    error,
)
from promptops.llm.types import Completion

MARK = "\x1epromptops-result:"

PYTHON_HARNESS = r"""
import importlib.util, json, os, sys
req = json.load(sys.stdin)
MARK = req["mark"]
def run():
    output, context = req["output"], req["context"]
    if req.get("path"):
        sys.path.insert(0, os.path.dirname(os.path.abspath(req["path"])))
        spec = importlib.util.spec_from_file_location("promptops_assertion", req["path"])
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        name = req.get("function") or "get_assert"
        if not hasattr(module, name):
            raise AttributeError(f"{req['path']} defines no function {name}")
        return getattr(module, name)(output, context)
    code = req["inline"].strip("\n")
    if "\n" not in code:
        return eval(code, {"output": output, "context": context})
    body = "\n".join("    " + line for line in code.splitlines())
    scope = {}
    exec("def _promptops_assert(output, context):\n" + body, scope)
    return scope["_promptops_assert"](output, context)
try:
    answer = {"result": run()}
except BaseException as exc:
    answer = {"error": f"{type(exc).__name__}: {exc}"}
sys.stdout.write("\n" + MARK + json.dumps(answer, default=str) + "\n")
"""

JAVASCRIPT_HARNESS = r"""
const fs = require('fs'); const path = require('path');
const req = JSON.parse(fs.readFileSync(0, 'utf8'));
async function run() {
  const { output, context } = req;
  if (req.path) {
    const mod = require(path.resolve(req.path));
    const fn = req.function ? mod[req.function]
      : (typeof mod === 'function' ? mod : (mod.default || mod.getAssert || mod.get_assert));
    if (typeof fn !== 'function') throw new Error(`${req.path} exports no function ${req.function || ''}`);
    return await fn(output, context);
  }
  const code = req.inline.trim();
  const body = code.includes('\n') ? code : `return (${code});`;
  return await new Function('output', 'context', body)(output, context);
}
const answer = (body) => process.stdout.write('\n' + req.mark + JSON.stringify(body) + '\n');
run().then(
  (result) => answer({ result: result === undefined ? null : result }),
  (e) => answer({ error: String(e && e.message ? e.message : e) }),
);
"""


async def run_code(
    spec: AssertionSpec, completion: Completion, context: AssertionContext
) -> AssertionOutcome:
    """Run one code assertion and judge its result; every failure to get a result is an error."""
    code: CodeSpec = spec.value
    if code.blocked:
        return error(f"not run: {code.blocked}")
    command = _command(code.language)
    if command is None:
        return error("needs node: javascript assertions run with Node.js, which is not on PATH")
    request = {
        "mark": MARK,
        "output": promptfoo_output(completion),
        "context": _promptfoo_context(context),
        "inline": code.inline,
        "path": str(code.file) if code.file else None,
        "function": code.function,
    }
    if code.file is not None and not code.file.is_file():
        return error(f"could not run: {code.file} does not exist")
    try:
        answer = await _run(command, request, code)
    except TimeoutError:
        return error(f"could not run: {code.language} assertion took longer than {code.timeout_s:g} s")
    if "error" in answer:
        return error(f"could not run: {code.language} raised {answer['error']}")
    return _judge_result(answer.get("result"), spec)


def _command(language: str) -> list[str] | None:
    if language == "python":
        return [sys.executable, "-c", PYTHON_HARNESS]
    node = shutil.which("node")
    return [node, "-e", JAVASCRIPT_HARNESS] if node else None


async def _run(command: list[str], request: dict[str, Any], code: CodeSpec) -> dict[str, Any]:
    process = await asyncio.create_subprocess_exec(
        *command,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        cwd=str(code.base_dir) if code.base_dir else None,
    )
    try:
        stdout, stderr = await asyncio.wait_for(
            process.communicate(json.dumps(request).encode("utf-8")), code.timeout_s
        )
    except TimeoutError:
        process.kill()
        await process.wait()
        raise
    text = stdout.decode("utf-8", "replace")
    if MARK not in text:
        last = (stderr.decode("utf-8", "replace").strip().splitlines() or ["no output"])[-1]
        return {"error": f"exit {process.returncode}: {last}"}
    try:
        return json.loads(text.rsplit(MARK, 1)[1].strip().splitlines()[0])
    except (ValueError, IndexError):
        return {"error": "its result is not JSON"}


def promptfoo_output(completion: Completion) -> Any:
    """The reply's text; a reply that is only tool calls is, as promptfoo passes it for OpenAI
    models, the list of calls `[{type: function, function: {name, arguments}}]`."""
    if completion.text or not completion.tool_calls:
        return completion.text
    return [
        {"id": c.id, "type": "function", "function": {"name": c.name, "arguments": json.dumps(c.arguments)}}
        for c in completion.tool_calls
    ]


def _promptfoo_context(context: AssertionContext) -> dict[str, Any]:
    test = {"vars": context.vars, "description": context.description, "metadata": context.metadata}
    return {"prompt": context.prompt, "vars": context.vars, "test": test, "config": {}}


def _judge_result(result: Any, spec: AssertionSpec) -> AssertionOutcome:
    if isinstance(result, bool):
        return conclude(Check(result, f"{spec.type} returned {str(result).lower()}"), spec.negate)
    if isinstance(result, int | float):
        score = float(result)
        passed = score >= spec.threshold if spec.threshold is not None else score > 0
        return conclude(Check(passed, f"{spec.type} returned score {score:g}", score), spec.negate)
    if isinstance(result, dict) and isinstance(result.get("pass"), bool):
        passed = result["pass"]
        score = result.get("score")
        score = float(score) if isinstance(score, int | float) and not isinstance(score, bool) else None
        if spec.threshold is not None and score is not None:
            passed = score >= spec.threshold
        reason = str(result.get("reason") or f"{spec.type} returned pass={str(passed).lower()}")
        return conclude(Check(passed, reason, score), spec.negate)
    return error(
        f"could not run: {spec.type} returned {json.dumps(result)[:80]}; expected a boolean, "
        "a number or {pass, score, reason}"
    )
