"""Emails sent by the accounts app, in the recipient's language (plain text and HTML)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from shieldhub.accounts.models import Invitation


def invitation_link(raw_token: str) -> str:
    return f"{settings.SITE_URL}{reverse('accounts:invitation-accept', args=[raw_token])}"


def send_invitation_email(*, invitation: Invitation, raw_token: str) -> None:
    """The one-time link goes only into this email; the database keeps its hash."""
    with translation.override(invitation.language or settings.LANGUAGE_CODE):
        inviter = invitation.invited_by
        context: dict[str, Any] = {
            "invitation": invitation,
            "link": invitation_link(raw_token),
            "inviter_name": inviter.get_full_name() if inviter else "",
            "roles": invitation.get_roles_display(),
            "country_name": invitation.country.name if invitation.country else "",
            "expires_at": invitation.expires_at,
            "valid_days": settings.INVITATION_VALID_DAYS,
            "site_url": settings.SITE_URL,
        }
        subject = render_to_string("accounts/email/invitation_subject.txt", context).strip()
        text = render_to_string("accounts/email/invitation_message.txt", context)
        html = render_to_string("accounts/email/invitation_message.html", context)
    message = EmailMultiAlternatives(
        subject=f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{subject}",
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[invitation.email],
    )
    message.attach_alternative(html, "text/html")
    message.send()
