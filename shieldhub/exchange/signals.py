"""Signals the exchange sends to other apps (it imports none of them).

`message_composed`: the compose page sent (or submitted for approval) a message. Arguments:
`message`, `actor` and `source` — the compose link's `source` parameter, carried through the form,
which says where the message was written from (e.g. "osint:12", an open-source item). Sent with
`send_robust` after the message is saved: a receiver's failure is logged, never the sender's problem.
"""

from __future__ import annotations

from django.dispatch import Signal

message_composed = Signal()
