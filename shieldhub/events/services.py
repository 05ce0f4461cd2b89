"""Every write of events and their agendas: permission check, `full_clean`, one transaction, an audit
entry. Invitations, nominations, registrations and operations have their own modules."""

from __future__ import annotations
