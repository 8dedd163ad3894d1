"""`promptops extract CONFIG --agent ID`: an agent configuration file becomes an agent folder."""

from __future__ import annotations

import json
from pathlib import Path

import click

from promptops.cli.workspace import Workspace, pass_workspace


@click.command("extract")
@click.argument("config_file", metavar="CONFIG", type=click.Path(path_type=Path))
@click.option("--agent", "agent_id", required=True, help="Id of the new agent (its folder name).")
@click.option("--force", is_flag=True, help="Replace the agent folder if it exists.")
@click.option("--json", "as_json", is_flag=True, help="Print what was written as JSON.")
@pass_workspace
def extract_command(ws: Workspace, config_file: Path, agent_id: str, force: bool, as_json: bool) -> None:
    """Write prompts/ID/ from an agent configuration in JSON or YAML.

    CONFIG holds `system_prompt`, optionally `user_template`, `tools` (name,
    description, input_schema) and `examples` ({user, assistant} or {input, output}).
    Each prompt becomes a plain-text file, plus agent.yaml and an empty evals file.
    Nothing is written if CONFIG is invalid or the agent exists (unless --force).

    Example: promptops extract agent.json --agent support-agent
    """
    # Imported here so other commands and --help do not pay for it.
    from promptops.repo.extract import extract_agent

    source = config_file if config_file.is_absolute() else ws.start / config_file  # relative to -C
    result = extract_agent(ws.config, source, agent_id, force=force)
    if as_json:
        click.echo(json.dumps(result.to_json(), indent=2))
        return
    for written in result.files:
        tokens = f" ({written.tokens} tokens)" if written.tokens is not None else ""
        click.echo(f"wrote {written.rel_path}{tokens}")
    if result.ignored_keys:
        click.echo(f"ignored keys of {config_file}: {', '.join(result.ignored_keys)}")
