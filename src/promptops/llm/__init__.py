"""Every model call goes through here: providers, cache, retries, budgets, usage."""
