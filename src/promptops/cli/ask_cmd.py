"""`promptops ask`: one question to the configured model, to check a provider setup."""

from __future__ import annotations

import json
from pathlib import Path

import click

from promptops.cli.options import budget_from_options, budget_options, no_cache_option, saving_raw_replies
from promptops.cli.workspace import Workspace, pass_workspace


@click.command("ask")
@click.argument("prompt")
@click.option("--system", default="", help="System prompt to send with the question.")
@click.option("--model", default=None, help="Model to ask (default: the configured provider.model).")
@click.option("--optimizer", is_flag=True, help="Ask the optimizer.provider model instead of provider.")
@click.option(
    "--schema",
    "schema_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="JSON Schema file (YAML or JSON): the answer must validate against it.",
)
@click.option("--max-tokens", type=click.IntRange(min=1), default=1024, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the answer and the usage as JSON.")
@no_cache_option
@budget_options
@pass_workspace
def ask_command(
    ws: Workspace,
    prompt: str,
    system: str,
    model: str | None,
    optimizer: bool,
    schema_file: Path | None,
    max_tokens: int,
    as_json: bool,
    no_cache: bool,
    budget_calls: int | None,
    budget_usd: float | None,
) -> None:
    """Send PROMPT to the configured model and print its answer.

    Goes through the same cache, budget and retries as every promptops model call, so
    it is the quickest check that a key, base URL or local server works:

        promptops ask "Say hello"

        promptops ask --schema answer.schema.json "Classify: refund please" --json
    """
    from promptops.llm.ask import ask, load_schema_file

    schema = load_schema_file(schema_file) if schema_file else None
    with saving_raw_replies(ws):
        answer = ask(
            ws.config,
            prompt,
            system=system,
            model=model,
            schema=schema,
            section="optimizer.provider" if optimizer else "provider",
            no_cache=no_cache,
            budget=budget_from_options(budget_calls, budget_usd),
            max_tokens=max_tokens,
        )
    if as_json:
        click.echo(
            json.dumps(
                {"text": answer.text, "data": answer.data, "usage": answer.usage.as_dict()},
                indent=2,
                sort_keys=True,
            )
        )
        return
    click.echo(json.dumps(answer.data, indent=2) if answer.data is not None else answer.text)
    click.echo(answer.usage.summary(), err=True)
