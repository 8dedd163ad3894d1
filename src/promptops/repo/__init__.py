"""Agents and prompts on disk: layout, ids, version ids, tokens, history."""
