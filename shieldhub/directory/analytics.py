"""Aggregates over the directory for analysis (indicators, donor reports): figures only, no names.

Public functions of the directory app that the analysis app may call; they read no record detail
and take no user (the caller checks its own permission: indicators are read with `REPORTS_VIEW`).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q

from shieldhub.directory.choices import NominationStatus
from shieldhub.directory.models import NcpNomination


def countries_with_active_ncp(*, on: dt.date) -> int:
    """How many countries had at least one active NCP nomination on `on` (nominated on or before
    that day, valid until that day or later, status active)."""
    return (
        NcpNomination.objects.filter(status=NominationStatus.ACTIVE, nominated_on__lte=on)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=on))
        .order_by()
        .values("country")
        .distinct()
        .count()
    )
