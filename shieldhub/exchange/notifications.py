"""Email notifications of the exchange. (Contract stub: filled in by the notifications work.)"""

from __future__ import annotations


def message_delivered(message_pk: int) -> None:
    """Called once a message has been delivered (after commit): fan the notifications out."""
