"""Background work of the entities: "same as" suggestions for a new entity, and the daily pass
(normalised names recomputed where `core.names` changed, then every kind matched)."""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from shieldhub.core.scheduling import periodic
from shieldhub.entities import services
from shieldhub.entities.models import Entity


@task()
def entity_suggest_links(*, entity_id: int) -> int:
    entity = Entity.objects.filter(pk=entity_id).first()
    if entity is None:
        return 0
    return len(services.suggest_links_for(entity=entity))


@periodic("entities.suggest_links", every=dt.timedelta(days=1))
@task()
def entities_daily_suggestions() -> int:
    """Idempotent: pairs that already have a link (suggested, confirmed or rejected) are skipped."""
    services.entities_renormalise()
    return len(services.suggest_links())
