from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shieldhub.core.access import Perm, user_perms

# (label, url name or None when the module is not built yet, permission needed, path prefix)
NAV = [
    (_("Home"), "core:home", None, "/$"),
    (_("Exchange"), "exchange:inbox", Perm.EXCHANGE_USE, "/exchange/"),
    (_("Seizures"), "seizures:incident-list", Perm.SEIZURE_STATS, "/seizures/"),
    (_("Shipments"), "shipments:shipment-list", Perm.SHIPMENT_USE, "/shipments/"),
    (_("Entities"), "entities:entity-list", Perm.ENTITY_VIEW, "/entities/"),
    (_("Screening"), "screening:run-list", Perm.SCREENING_RUN, "/screening/"),
    (_("Analysis"), "analysis:home", Perm.ANALYSIS_VIEW, "/analysis/"),
    (_("Events"), "events:event-list", Perm.EVENTS_VIEW, "/events/"),
    (_("Directory"), "directory:person-list", Perm.DIRECTORY_VIEW_NETWORK, "/directory/"),
    (pgettext_lazy("navigation", "Reference"), "reference:catalogue-list", Perm.REFERENCE_VIEW, "/reference/"),
    (_("Accounts"), "accounts:user-list", Perm.ACCOUNTS_INVITE, "/accounts/users/"),
    (_("Audit log"), "core:audit-list", Perm.AUDIT_VIEW, "/audit/"),
]


NAV_BADGES = {"exchange:inbox": "exchange:unread-count"}


def shieldhub(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    perms = user_perms(user)
    items = []
    if user is not None and user.is_authenticated:
        for label, url_name, perm, prefix in NAV:
            if perm is not None and perm not in perms:
                continue
            if url_name is None:
                continue  # modules still to come are not shown as dead links
            active = request.path == "/" if prefix == "/$" else request.path.startswith(prefix)
            # a small count that htmx refreshes (the exchange's unread messages)
            badge_url = reverse(NAV_BADGES[url_name]) if url_name in NAV_BADGES else None
            items.append({"label": label, "url": reverse(url_name), "active": active, "badge_url": badge_url})
    return {
        "nav_items": items,
        "perms_flags": {p.name.lower(): (p in perms) for p in Perm},
        "demo_mode": settings.DEMO_MODE,
    }
