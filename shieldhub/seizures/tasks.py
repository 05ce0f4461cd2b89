"""Background work of the seizure records: telling the recipients recorded at submission that a
record was shared with them, and everyone who received or opened a record that it was corrected or
withdrawn. The emails carry the record's reference (and, at submission, its type and reporting
country) and a link, never its content or any person's data, in each person's language."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_countries import countries as country_registry
from django_tasks import task

from shieldhub.core.access import incidents_visible_q, user_country
from shieldhub.seizures.choices import IncidentStatus, VersionChange
from shieldhub.seizures.models import Incident, IncidentRecipient, IncidentView

logger = logging.getLogger(__name__)


def audience(incident: Incident, *, exclude: int | None = None) -> list[Any]:
    """Everyone who received or opened the record, active and still allowed to see it in the list."""
    ids = set(IncidentRecipient.objects.filter(incident=incident).values_list("user_id", flat=True))
    ids |= set(IncidentView.objects.filter(incident=incident).values_list("user_id", flat=True))
    if exclude is not None:
        ids.discard(exclude)
    users = get_user_model().objects.filter(pk__in=ids, is_active=True).order_by("pk")
    return [u for u in users if Incident.objects.filter(incidents_visible_q(u), pk=incident.pk).exists()]


@task()
def incident_changed(*, incident_id: int, version: int, change: str, actor_id: int | None = None) -> int:
    incident = Incident.objects.filter(pk=incident_id).first()
    if incident is None:
        return 0
    link = settings.SITE_URL + reverse("seizures:incident-detail", args=[incident.pk])
    sent = 0
    for user in audience(incident, exclude=actor_id):
        with translation.override(user.language or settings.LANGUAGE_CODE):
            values = {"reference": incident.reference, "version": version, "link": link}
            if change == VersionChange.WITHDRAWAL:
                subject = _("Seizure record %(reference)s was withdrawn") % values
                body = _("The seizure record %(reference)s that you received or opened was withdrawn.\n\n%(link)s\n")
            else:
                subject = _("Seizure record %(reference)s was corrected (version %(version)s)") % values
                body = _(
                    "The seizure record %(reference)s that you received or opened was corrected "
                    "(version %(version)s).\n\nSee it on Global Shield Hub:\n%(link)s\n"
                )
            try:
                send_mail(subject, body % values, None, [user.email], fail_silently=False)
            except Exception:  # one failed address must not stop the others
                logger.exception("Could not tell %s about %s", user.pk, incident.reference)
                continue
        sent += 1
    return sent


@task()
def incident_submitted(*, incident_id: int) -> int:
    """Tell each recipient recorded at submission that the record was shared with them: reference,
    type, reporting country and a link, in their language. Not the reporting country's own people
    (they wrote it and see it anyway) nor the submitter. Idempotent: each recipient row is claimed
    once (`IncidentRecipient.notified_at`), so a task run twice sends nothing twice."""
    incident = Incident.objects.filter(pk=incident_id).first()
    if incident is None or incident.status == IncidentStatus.DRAFT:
        return 0
    link = settings.SITE_URL + reverse("seizures:incident-detail", args=[incident.pk])
    country = str(incident.reporting_country)
    rows = (
        IncidentRecipient.objects.filter(incident=incident, notified_at__isnull=True)
        .select_related("user")
        .order_by("pk")
    )
    sent = 0
    for row in rows:
        with transaction.atomic():
            claimed = IncidentRecipient.objects.filter(pk=row.pk, notified_at__isnull=True).update(
                notified_at=timezone.now()
            )
        if not claimed:
            continue
        user = row.user
        if (
            not user.is_active
            or user.pk in (incident.created_by_id, incident.submitted_by_id)
            or user_country(user) == country
            or not Incident.objects.filter(incidents_visible_q(user), pk=incident.pk).exists()
        ):
            continue
        with translation.override(user.language or settings.LANGUAGE_CODE):
            values = {
                "reference": incident.reference,
                "type": str(incident.get_incident_type_display()),
                "country": str(country_registry.name(country)),
                "link": link,
            }
            subject = _("%(country)s shared a seizure record with you: %(reference)s") % values
            body = (
                _(
                    "%(country)s shared a seizure record with you on Global Shield Hub: %(reference)s "
                    "(%(type)s).\n\nSee it on Global Shield Hub:\n%(link)s\n"
                )
                % values
            )
        try:
            send_mail(subject, body, None, [user.email], fail_silently=False)
        except Exception:  # one failed address must not stop the others; a later run may try again
            logger.exception("Could not tell %s about %s", user.pk, incident.reference)
            IncidentRecipient.objects.filter(pk=row.pk).update(notified_at=None)
            continue
        sent += 1
    return sent


@task()
def seizure_import_commit(*, batch_id: int) -> int:
    """Write an import batch (all or nothing); the progress page polls the batch."""
    from shieldhub.seizures.imports import import_commit

    batch = import_commit(batch_id=batch_id)
    return batch.created_count


from shieldhub.seizures import attachments  # noqa: E402, F401 - registers the attachments' periodic cleanup
