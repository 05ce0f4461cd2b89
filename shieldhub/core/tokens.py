"""Secrets handed out once (API tokens, invitation and verification links): only their SHA-256 is stored."""

from __future__ import annotations

import hashlib
import secrets

TOKEN_PREFIX = "gsh_"  # noqa: S105 - a public marker, not a secret


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def new_invitation_token() -> str:
    """The secret in an invitation link (no `gsh_` marker: it is not an API token)."""
    return secrets.token_urlsafe(32)


def token_prefix(raw: str) -> str:
    """The first characters of an API token, kept in clear so people can tell tokens apart."""
    return raw[:12]
