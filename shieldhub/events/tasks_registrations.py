"""Background tasks for registrations (imported by `events/tasks.py`): the email to a participant
promoted from the waiting list, and the email with the certificate of attendance and the link to the
evaluation form. Task arguments hold ids only; the link is built from the stored badge code."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django_tasks import task

from shieldhub.events import evaluations
from shieldhub.events.models import Registration

logger = logging.getLogger(__name__)


def evaluation_link(registration: Registration) -> str:
    return settings.SITE_URL + reverse("events:evaluation-by-code", args=[evaluations.evaluation_code(registration)])


def _send(message: EmailMessage) -> bool:
    try:
        message.send(fail_silently=False)
    except Exception:  # logged; the secretariat can resend
        logger.exception("Could not email registration participant")
        return False
    return True


@task()
def registration_promoted(*, registration_id: int) -> int:
    """Tell a participant promoted from the waiting list that their place is confirmed."""
    registration = Registration.objects.filter(pk=registration_id).select_related("event").first()
    if registration is None or not registration.email or registration.status != "approved":
        return 0
    with translation.override(registration.language or settings.LANGUAGE_CODE):
        values = {"name": registration.full_name, "event": registration.event.title_in(registration.language)}
        subject = _("Your place at %(event)s is confirmed") % values
        body = (
            _(
                "Dear %(name)s,\n\nA place has become available at %(event)s and your registration, "
                "which was on the waiting list, is now approved.\n"
            )
            % values
        )
    return int(_send(EmailMessage(subject, body, None, [registration.email])))


@task()
def certificate_issued(*, registration_id: int) -> int:
    """Send the certificate of attendance (PDF) with the link to the evaluation form."""
    from shieldhub.events import certificates

    registration = Registration.objects.filter(pk=registration_id).select_related("event", "certificate").first()
    if registration is None or not registration.email or not hasattr(registration, "certificate"):
        return 0
    pdf = certificates.certificate_pdf([registration])
    with translation.override(registration.language or settings.LANGUAGE_CODE):
        values = {
            "name": registration.full_name,
            "event": registration.event.title_in(registration.language),
            "link": evaluation_link(registration),
        }
        subject = _("Your certificate of attendance: %(event)s") % values
        body = (
            _(
                "Dear %(name)s,\n\nThank you for taking part in %(event)s. Your certificate of attendance is "
                "attached.\n\nPlease tell us what you thought of the training (a few minutes, once):\n%(link)s\n"
            )
            % values
        )
    message = EmailMessage(subject, body, None, [registration.email])
    message.attach(f"certificate-{registration.certificate.number}.pdf", pdf, "application/pdf")
    return int(_send(message))
