"""Production execution logs: the JSONL format, a streaming reader, A/B and failure reports.

The format is `schemas/execution_log.schema.json`; `promptops.runtime.ExecutionLog` writes it
and `promptops ab` / `promptops failures` read it.
"""
