"""Background work of the licit shipments: emailing the importing country's NCPs when a shipment is
notified, reminding them two working days before the deadline, marking unanswered verifications
overdue and telling the coordinators once. The periodic tasks run hourly and are idempotent
(`ShipmentVerification.reminded_at` and `escalated_at` record what was sent).

The emails carry only the shipment's reference, the countries, the deadline and a link.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django_countries import countries as country_registry
from django_tasks import task

from shieldhub.accounts.choices import Role
from shieldhub.core.audit import audit_record
from shieldhub.core.scheduling import periodic
from shieldhub.exchange.deadlines import REMINDER_WORKING_DAYS, add_working_days
from shieldhub.shipments import summaries
from shieldhub.shipments.choices import ShipmentStatus, VerificationStatus
from shieldhub.shipments.models import Shipment, ShipmentVerification

logger = logging.getLogger(__name__)

HOURLY = dt.timedelta(hours=1)


def _link(shipment: Shipment) -> str:
    return settings.SITE_URL + reverse("shipments:shipment-detail", args=[shipment.pk])


def importing_ncps(shipment: Shipment) -> list[Any]:
    """The active NCPs of the importing country (who answer the verification)."""
    return list(
        get_user_model()
        .objects.filter(is_active=True, role_grants__role=Role.NCP, country=str(shipment.importing_country))
        .distinct()
        .order_by("email")
    )


def _coordinators() -> list[Any]:
    return list(
        get_user_model().objects.filter(is_active=True, role_grants__role=Role.COORDINATOR).distinct().order_by("email")
    )


def _values(shipment: Shipment, verification: ShipmentVerification) -> dict[str, str]:
    return {
        "reference": shipment.reference,
        "exporting": str(country_registry.name(str(shipment.exporting_country))),
        "importing": str(country_registry.name(str(shipment.importing_country))),
        "date": formats.date_format(verification.deadline, "DATE_FORMAT"),
        "link": _link(shipment),
    }


def _send(user: Any, subject: str, body: str) -> bool:
    try:
        send_mail(subject, body, None, [user.email], fail_silently=False)
    except Exception:  # one failed address must not stop the others
        logger.exception("Could not email %s", user.pk)
        return False
    return True


@task()
def shipment_notified(*, shipment_id: int) -> int:
    """Ask the importing country's NCPs to verify a newly notified shipment."""
    shipment = Shipment.objects.filter(pk=shipment_id).select_related("verification").first()
    if shipment is None or not hasattr(shipment, "verification"):
        return 0
    sent = 0
    for user in importing_ncps(shipment):
        with translation.override(user.language or settings.LANGUAGE_CODE):
            values = _values(shipment, shipment.verification)
            subject = _("Shipment %(reference)s from %(exporting)s: please verify by %(date)s") % values
            body = (
                _(
                    "%(exporting)s notified a shipment of precursors to %(importing)s (%(reference)s).\n\n"
                    "Please confirm the consignee and the end use, object, or confirm with concerns by %(date)s, "
                    "on Global Shield Hub:\n%(link)s\n"
                )
                % values
            )
        sent += _send(user, subject, body)
    return sent


def _open() -> Any:
    return ShipmentVerification.objects.filter(
        status=VerificationStatus.OPEN,
        shipment__status__in=[ShipmentStatus.NOTIFIED, ShipmentStatus.OVERDUE],
    )


@periodic("shipments.verification_reminders", every=HOURLY)
@task()
def verification_send_reminders() -> int:
    """Remind the importing NCPs once, from two working days before the deadline."""
    today = timezone.localdate()
    horizon = add_working_days(today, REMINDER_WORKING_DAYS)
    due = (
        _open()
        .filter(reminded_at__isnull=True, deadline__gte=today, deadline__lte=horizon)
        .select_related("shipment")
        .order_by("pk")
    )
    sent = 0
    for verification in due:
        with transaction.atomic():
            claimed = ShipmentVerification.objects.filter(pk=verification.pk, reminded_at__isnull=True).update(
                reminded_at=timezone.now()
            )
            if not claimed:
                continue
            shipment = verification.shipment
            for user in importing_ncps(shipment):
                with translation.override(user.language or settings.LANGUAGE_CODE):
                    values = _values(shipment, verification)
                    subject = _("Reminder: shipment %(reference)s is to be verified by %(date)s") % values
                    body = (
                        _(
                            "The shipment %(reference)s notified by %(exporting)s awaits your verification by "
                            "%(date)s.\n\n%(link)s\n"
                        )
                        % values
                    )
                sent += _send(user, subject, body)
    return sent


@periodic("shipments.verification_overdue", every=HOURLY)
@task()
def verification_mark_overdue() -> int:
    """Open verifications past their deadline become overdue (the shipment too); the coordinators
    are told once per shipment. Returns the number of escalations."""
    today = timezone.localdate()
    with summaries.TABLE.batch():  # the dashboards' months of the overdue requests, refreshed once at the end
        for verification in _open().filter(deadline__lt=today).select_related("shipment").order_by("pk"):
            with transaction.atomic():
                count = ShipmentVerification.objects.filter(pk=verification.pk, status=VerificationStatus.OPEN).update(
                    status=VerificationStatus.OVERDUE
                )
                if not count:
                    continue
                Shipment.objects.filter(pk=verification.shipment_id, status=ShipmentStatus.NOTIFIED).update(
                    status=ShipmentStatus.OVERDUE, updated_at=timezone.now()
                )
                summaries.touch(verification.shipment.notified_at)
                audit_record(
                    actor=None, action="shipments.verification_overdue", obj=verification.shipment,
                    extra={"deadline": verification.deadline, "importing_country": str(verification.importing_country)},
                )  # fmt: skip
    escalated = 0
    coordinators = _coordinators()
    pending = ShipmentVerification.objects.filter(status=VerificationStatus.OVERDUE, escalated_at__isnull=True)
    for verification in pending.select_related("shipment").order_by("pk"):
        with transaction.atomic():
            claimed = ShipmentVerification.objects.filter(pk=verification.pk, escalated_at__isnull=True).update(
                escalated_at=timezone.now()
            )
            if not claimed:
                continue
            shipment = verification.shipment
            for coordinator in coordinators:
                with translation.override(coordinator.language or settings.LANGUAGE_CODE):
                    values = _values(shipment, verification)
                    subject = _("Overdue verification: shipment %(reference)s to %(importing)s") % values
                    body = (
                        _(
                            "%(importing)s has not verified the shipment %(reference)s notified by %(exporting)s; "
                            "it was due on %(date)s.\n\n%(link)s\n"
                        )
                        % values
                    )
                _send(coordinator, subject, body)
            audit_record(
                actor=None, action="shipments.verification_escalate", obj=shipment,
                extra={"coordinators": [c.pk for c in coordinators]},
            )  # fmt: skip
            escalated += 1
    return escalated


from shieldhub.shipments import documents  # noqa: E402, F401 - registers the documents' periodic cleanup
