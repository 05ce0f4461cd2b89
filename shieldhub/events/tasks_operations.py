"""Background and periodic tasks for operations (imported by `events/tasks.py`).

`operation_groups_sync` (daily): an operation's closed group gets the NCPs of its participating
countries when it is created or its countries change; an NCP account opened (or given the NCP role)
afterwards is added here, for the operations not yet closed whose group is not past its end date.
Idempotent; each addition is audited (actor: system).
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django_tasks import task

from shieldhub.core.scheduling import periodic

DAILY = dt.timedelta(days=1)


@periodic("events.operation_groups_sync", every=DAILY)
@task()
def operation_groups_sync() -> int:
    """Add the participating countries' NCPs missing from running operations' groups; returns how many."""
    from shieldhub.directory import services as directory
    from shieldhub.directory.choices import MembershipRole
    from shieldhub.directory.models import Membership
    from shieldhub.events.models import Operation
    from shieldhub.events.operations import _ncps

    today = timezone.localdate()
    added = 0
    running = Operation.objects.exclude(phase="closed").exclude(community=None).filter(ends_on__gte=today)
    for operation in running.select_related("community").order_by("pk"):
        assert operation.community is not None
        present = set(Membership.objects.filter(community=operation.community).values_list("user_id", flat=True))
        missing = [u for u in _ncps(list(operation.countries)) if u.pk not in present]
        if missing:
            directory.operation_group_members_update(
                actor=None,
                community=operation.community,
                add=[(u, MembershipRole.MEMBER) for u in missing],
                remove=[],
            )
            added += len(missing)
    return added
