"""Prompt optimization: analysis, variant generation, the invariants guard and the search."""
