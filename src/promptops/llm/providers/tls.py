"""One TLS verification context for every HTTP client of the process.

httpx2 (under the Anthropic SDK) and httpcore2 (under the OpenAI-compatible provider) build
a default context (reading the CA bundle, about 0.1 s) for each client or connection they
create, and promptops creates a client per event loop; building it once keeps a CLI command
that runs several loops, and a test suite, fast. Verification is unchanged: it is the very
context httpx2 would build.
"""

from __future__ import annotations

import ssl
from functools import cache


@cache
def shared_ssl_context() -> ssl.SSLContext:
    import httpcore2  # with the first client: a cached run never loads the HTTP stack

    return httpcore2.default_ssl_context()
