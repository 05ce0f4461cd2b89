"""Attachments of the exchange: upload (checked by content), storage outside the web root, links
to messages, access-checked reads. (Contract stub: filled in by the attachments work.)"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError

from shieldhub.exchange.models import Attachment, Message


def attachments_link(*, actor: Any, message: Message, ids: list[int]) -> list[Attachment]:
    """Link the actor's own unsent uploads to a message being sent; returns them."""
    if ids:
        raise ValidationError({"attachments": "Attachments are not available yet."})
    return []
