"""The parts of an http(s) URL the OpenAI-compatible provider needs, checked once: its server's
`base_url` and a proxy from the environment are read the same way. Standard library only, as
the provider reads its `base_url` when it is built, long before httpcore2 is loaded."""

from __future__ import annotations

from urllib.parse import unquote, urlsplit


def split_http_url(address: str) -> tuple[str, str, tuple[str, str] | None] | None:
    """(scheme, host[:port], (user, password) or None) of an http(s) URL with an ASCII host name
    and a numeric port if any; None when it is not one. The user info is unquoted."""
    parts = urlsplit(address)
    try:
        parts.port  # noqa: B018 (raises ValueError on a port that is not a number)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname or not parts.netloc.isascii():
        return None
    auth = (unquote(parts.username), unquote(parts.password or "")) if parts.username is not None else None
    return parts.scheme, parts.netloc.rpartition("@")[2], auth
