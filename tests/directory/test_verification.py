"""The self-service verification flow, end to end: email, one-time link, confirm or correct."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from shieldhub.core.models import AuditEntry
from shieldhub.directory import services
from shieldhub.directory.models import VerificationRequest
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def contact(fr_customs):
    return PersonFactory(
        given_name="Sophie",
        family_name="Laurent",
        email="sophie.laurent@douane.example",
        country="FR",
        organisation=fr_customs,
        position="Inspectrice",
        phones=["+33 1 11 11 11 11"],
        languages=["fr"],
        preferred_language="fr",
        notes="Private secretariat note",
        last_verified_on=dt.date(2021, 5, 1),
    )


def _send(actor, person, capture):
    with capture(execute=True):
        request = services.verification_request_send(actor=actor, person=person)
    return request


def _link_path(message) -> str:
    match = re.search(r"https?://[^/\s]+(/directory/verify/[^/\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


def test_sending_emails_a_one_time_link_and_stores_only_its_hash(
    assistant, contact, django_capture_on_commit_callbacks
):
    request = _send(assistant, contact, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["sophie.laurent@douane.example"]
    assert message.extra_headers["Content-Language"] == "fr"  # the contact's preferred language
    path = _link_path(message)
    raw = path.rstrip("/").rsplit("/", 1)[1]
    assert raw == request.raw_token
    stored = VerificationRequest.objects.get(pk=request.pk)
    assert stored.token_hash != raw and len(stored.token_hash) == 64  # hashed
    assert raw not in str(AuditEntry.objects.filter(action="directory.person.verification_sent").get().extra)
    assert stored.sent_by == assistant
    assert (stored.expires_at - stored.sent_at).days == 30
    assert message.alternatives and path in message.alternatives[0][0]


def test_sending_needs_directory_verify_and_an_email(analyst, assistant, contact):
    with pytest.raises(PermissionDenied):
        services.verification_request_send(actor=analyst, person=contact)
    contact.email = ""
    with pytest.raises(ValidationError):
        services.verification_request_send(actor=assistant, person=contact)
    assert not VerificationRequest.objects.exists()


def test_confirm_without_an_account_works_once(client, assistant, contact, django_capture_on_commit_callbacks):
    _send(assistant, contact, django_capture_on_commit_callbacks)
    path = _link_path(mail.outbox[0])

    response = client.get(path)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'lang="fr"' in html  # the contact's preferred language
    assert "Sophie Laurent" in html and "Inspectrice" in html and "+33 1 11 11 11 11" in html
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # a visitor who switched to English
    assert "Private secretariat note" not in html
    assert response["Cache-Control"].startswith("max-age=0") or "no-cache" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "no-referrer"

    response = client.post(path, {"action": "confirm"})
    assert response.status_code == 200
    assert "Your details are confirmed." in response.content.decode()
    contact.refresh_from_db()
    assert contact.last_verified_on == timezone.localdate()
    entry = AuditEntry.objects.get(action="directory.person.verify")
    assert entry.actor is None and entry.actor_label == "contact self-service"
    assert entry.changes["last_verified_on"] == ["2021-05-01", timezone.localdate().isoformat()]

    # the link is spent
    assert client.get(path).status_code == 404
    again = client.post(path, {"action": "confirm"})
    assert again.status_code == 404 and "not valid any more" in again.content.decode()


def test_correct_details_through_the_link(client, assistant, contact, django_capture_on_commit_callbacks):
    _send(assistant, contact, django_capture_on_commit_callbacks)
    path = _link_path(mail.outbox[0])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    form = {
        "action": "correct",
        "title": "ms",
        "given_name": "Sophie",
        "family_name": "Laurent-Morel",
        "position": "Cheffe de la cellule ciblage",
        "email": "s.laurent-morel@douane.example",
        "other_emails": "sophie.laurent@douane.example",
        "phones": "+33 1 22 22 22 22",
        "languages": "fr, en, es",
        "preferred_language": "en",
    }

    bad = client.post(path, {**form, "other_emails": "oops@"})
    assert bad.status_code == 200
    assert "“oops@” is not a valid email address." in bad.content.decode()
    contact.refresh_from_db()
    assert contact.family_name == "Laurent"  # nothing saved, link still usable

    response = client.post(path, form)
    assert "Your corrected details were saved." in response.content.decode()
    contact.refresh_from_db()
    assert contact.family_name == "Laurent-Morel"
    assert contact.position == "Cheffe de la cellule ciblage"
    assert contact.email == "s.laurent-morel@douane.example"
    assert contact.other_emails == ["sophie.laurent@douane.example"]
    assert contact.languages == ["fr", "en", "es"]
    assert contact.preferred_language == "en"
    assert contact.last_verified_on == timezone.localdate()
    assert contact.organisation.acronym == "DGDDI"  # not editable by the contact
    assert contact.notes == "Private secretariat note"
    assert "laurent-morel" in contact.search_text
    update = AuditEntry.objects.get(action="directory.person.update")
    assert update.actor_label == "contact self-service"
    assert update.changes["family_name"] == ["Laurent", "Laurent-Morel"]
    assert client.post(path, form).status_code == 404


def test_self_service_cannot_touch_other_fields(contact):
    with pytest.raises(ValueError):
        services.person_update(actor=services.SELF_SERVICE, person=contact, data={"notes": "hi"})


def test_expired_link_is_refused(client, assistant, contact, django_capture_on_commit_callbacks):
    with override_settings(VERIFICATION_LINK_VALID_DAYS=1):
        _send(assistant, contact, django_capture_on_commit_callbacks)
    path = _link_path(mail.outbox[0])
    VerificationRequest.objects.update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    assert client.get(path).status_code == 404
    with pytest.raises(ValidationError):
        services.verification_confirm(token=path.rstrip("/").rsplit("/", 1)[1])
    contact.refresh_from_db()
    assert contact.last_verified_on == dt.date(2021, 5, 1)


def test_anonymous_visitor_is_not_stopped_by_the_mfa_middleware(
    client, assistant, contact, django_capture_on_commit_callbacks
):
    """MfaRequiredMiddleware acts on signed-in users only: an anonymous visitor reaches the page."""
    _send(assistant, contact, django_capture_on_commit_callbacks)
    response = client.get(_link_path(mail.outbox[0]))
    assert response.status_code == 200
    assert reverse("mfa_activate_totp") not in response.get("Location", "")


def test_person_detail_send_button(login, assistant, contact, django_capture_on_commit_callbacks):
    client = login(assistant)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("directory:person-verification-send", args=[contact.pk]), follow=True)
    assert "A verification email was sent to sophie.laurent@douane.example." in response.content.decode()
    assert len(mail.outbox) == 1
