"""Helpers for the accounts tests: sending invitations and reading the link from the email."""

from __future__ import annotations

import re
import time

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core import mail

from shieldhub.accounts import services

LINK_RE = re.compile(r"https?://[^\s\"<>]+/accounts/invitation/([\w-]+)/")


def totp_code(secret: str) -> str:
    """The code an authenticator app would show right now for this secret."""
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def link_token(message: mail.EmailMessage) -> str:
    match = LINK_RE.search(str(message.body))
    assert match, message.body
    return match.group(1)


@pytest.fixture
def invite(django_capture_on_commit_callbacks):
    """`invite(actor, email=..., roles=[...], ...)` -> (invitation, raw token read from the email)."""

    def _invite(actor, *, email="new.person@test.example", full_name="Nina New", roles=("analyst",), **extra):
        extra.setdefault("language", "en")
        with django_capture_on_commit_callbacks(execute=True):
            invitation = services.invitation_create(
                actor=actor, email=email, full_name=full_name, roles=list(roles), **extra
            )
        return invitation, link_token(mail.outbox[-1])

    return _invite
