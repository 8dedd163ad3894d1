"""promptops: a Git-native GitOps bot for the prompts of LLM agents."""

__version__ = "0.1.0"
