"""Invitations: selection from the directory, preparing, editing, sending with the letter attached
and a single-use link, reminders and the daily status pass."""

from __future__ import annotations

import datetime as dt
import io
import re
from html import unescape

import docx
import pypdf
import pytest
from django.core import mail
from django.utils import timezone, translation
from django.utils.translation import gettext

from shieldhub.core.audit import AuditEntry
from shieldhub.events import invitations
from shieldhub.events.models import Invitation, Registration
from shieldhub.reference.models import Country, WcoRegion
from tests.events.factories import EventFactory, InvitationFactory
from tests.factories import CommunityFactory, MembershipFactory, NominationFactory, PersonFactory, UserFactory


def _fr(msgid: str) -> str:
    """The French text of `msgid`: the pages reached by the invitation's link, and its emails, are in
    the invitation's language (French in these tests)."""
    with translation.override("fr"):
        return gettext(msgid)


pytestmark = pytest.mark.django_db


@pytest.fixture
def network(db):
    eur = WcoRegion.objects.create(code="EUR", name_en="Europe", name_fr="Europe")
    esa = WcoRegion.objects.create(
        code="ESA", name_en="East and Southern Africa", name_fr="Afrique orientale et australe"
    )
    for code, iso3, num, name, region in [("FR", "FRA", 250, "France", eur), ("DE", "DEU", 276, "Germany", eur),
                                          ("KE", "KEN", 404, "Kenya", esa), ("TZ", "TZA", 834, "Tanzania", esa)]:  # fmt: skip
        Country.objects.create(
            code=code, iso3=iso3, numeric=num, name_en=name, name_fr=name, wco_region=region, wco_member=True
        )
    people = {
        "fr1": PersonFactory(
            given_name="Claire", family_name="Martin", country="FR", preferred_language="fr", title="ms"
        ),
        "fr2": PersonFactory(given_name="Paul", family_name="Durand", country="FR", preferred_language="fr"),
        "de1": PersonFactory(given_name="Hans", family_name="Weber", country="DE"),
        "ke1": PersonFactory(given_name="John", family_name="Otieno", country="KE", preferred_language="en"),
        "tz2": PersonFactory(given_name="Neema", family_name="Mushi", country="TZ"),
        "lapsed": PersonFactory(given_name="Old", family_name="Timer", country="DE"),
    }
    NominationFactory(person=people["fr1"], role="primary")
    NominationFactory(person=people["fr2"], role="alternate")
    NominationFactory(person=people["de1"], role="primary")
    NominationFactory(person=people["ke1"], role="primary")
    NominationFactory(person=people["tz2"], role="alternate")
    NominationFactory(person=people["lapsed"], role="primary", status="lapsed")
    return people


def _names(candidates) -> list[str]:
    return [c.person.family_name for c in candidates]


def test_selection_by_country_region_role_and_community(assistant, network):
    event = EventFactory()
    sel = lambda **kw: invitations.invitation_candidates(user=assistant, event=event, **kw)  # noqa: E731
    assert _names(sel(country="FR")) == ["Martin"]  # one per administration: the primary NCP
    assert _names(sel(country="FR", one_per_country=False)) == ["Martin", "Durand"]
    assert _names(sel(region="EUR")) == ["Weber", "Martin"]  # DE, FR; the lapsed nomination is left out
    assert _names(sel(region="ESA")) == ["Otieno", "Mushi"]
    assert _names(sel(role="alternate", one_per_country=False)) == ["Durand", "Mushi"]
    # A community: its members' NCP nominations and its countries' NCPs.
    member = UserFactory(roles=["ncp"], country="KE")
    network["ke1"].user = member
    network["ke1"].save()
    group = CommunityFactory(countries=["TZ"])
    MembershipFactory(community=group, user=member)
    assert _names(sel(community=group.pk)) == ["Otieno", "Mushi"]
    # By hand: any visible person, even without a nomination.
    assert _names(sel(people=[network["lapsed"].pk])) == ["Timer"]
    languages = {c.person.family_name: c.language for c in sel(region="EUR")}
    assert languages == {"Martin": "fr", "Weber": "en"}


def test_selection_marks_those_already_invited_and_creation_skips_them(assistant, network):
    event = EventFactory()
    first = invitations.invitation_create_from_selection(
        actor=assistant,
        event=event,
        candidates=invitations.invitation_candidates(user=assistant, event=event, country="FR"),
        seats=3,
    )
    assert [(i.recipient.family_name, i.status, i.seats, i.language) for i in first] == [("Martin", "draft", 3, "fr")]
    again = invitations.invitation_candidates(user=assistant, event=event, region="EUR")
    assert {c.person.family_name: c.already_invited for c in again} == {"Martin": True, "Weber": False}
    created = invitations.invitation_create_from_selection(actor=assistant, event=event, candidates=again)
    assert [i.recipient.family_name for i in created] == ["Weber"]
    assert Invitation.objects.filter(event=event).count() == 2


def test_selection_page_preview_then_create(login, assistant, network):
    event = EventFactory()
    client = login(assistant)
    page = client.get(f"/events/{event.pk}/invitations/select/", {"region": "EUR", "one_per_country": "on"})
    body = page.content.decode()
    assert page.status_code == 200 and "Claire Martin" in body and "Hans Weber" in body and "Paul Durand" not in body
    assert not Invitation.objects.exists()  # a preview creates nothing
    response = client.post(
        f"/events/{event.pk}/invitations/select/",
        {"region": "EUR", "one_per_country": "on", "chosen": [str(network["fr1"].pk)], "seats": "4", "create": "1"},
    )
    assert response.status_code == 302
    inv = Invitation.objects.get()
    assert (inv.recipient, inv.status, inv.seats) == (network["fr1"], "draft", 4)


def _sent(assistant, **kw):
    event = EventFactory(
        title_en="Detection training",
        title_fr="Formation à la détection",
        reply_by=timezone.localdate() + dt.timedelta(days=20),
    )
    person = PersonFactory(
        given_name="Claire",
        family_name="Martin",
        country="FR",
        preferred_language="fr",
        title="ms",
        email="claire@douane.example",
    )
    inv = InvitationFactory(
        event=event, recipient=person, status="draft", sent_at=None, reply_by=event.reply_by, created_by=assistant, **kw
    )
    with_capture = invitations.invitation_send(actor=assistant, invitation=inv)
    return with_capture


def _link(message) -> str:
    return re.search(r"https?://\S+/events/nominate/(\S+)/", message.body).group(0)


def test_send_emails_the_letter_as_docx_and_pdf_with_a_working_single_use_link(
    assistant, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        inv = _sent(assistant)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["claire@douane.example"]
    assert "Formation à la détection" in message.subject
    names = [a[0] for a in message.attachments]
    assert len(message.attachments) == 2 and names[0].endswith(".docx") and names[1].endswith(".pdf")
    link = _link(message)
    docx_text = "\n".join(p.text for p in docx.Document(io.BytesIO(message.attachments[0][1])).paragraphs)
    pdf_text = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(message.attachments[1][1])).pages)
    assert link in docx_text and "Claire Martin" in docx_text and "Objet" in docx_text
    assert "Formation à la détection" in pdf_text
    inv.refresh_from_db()
    assert inv.status == "sent" and inv.sent_at and len(inv.token_hash) == 64
    assert link.rsplit("/", 2)[-2] not in inv.token_hash  # only the hash is stored
    path = link.split("127.0.0.1:8000", 1)[-1] if "127.0.0.1" in link else "/" + link.split("/", 3)[3]
    page = client.get(path)
    # the single-use link opens the nomination page in the invitation's language (French here)
    assert page.status_code == 200 and "Désigner des participants" in page.content.decode()
    data = {"action": "nominate", "p-TOTAL_FORMS": "2", "p-INITIAL_FORMS": "0", "p-MIN_NUM_FORMS": "0", "p-MAX_NUM_FORMS": "2",
            "p-0-family_name": "Dupont", "p-0-given_name": "Jeanne", "p-0-email": "j.dupont@douane.example", "p-0-language": "fr",
            "p-0-gender": "female", "p-0-passport_number": "12AB34567", "p-0-passport_nationality": "FR",
            "p-1-language": "en"}  # fmt: skip
    done = client.post(path, data)
    received = _fr(
        "Your nominations for the %(event)s have been received. The Secretariat will confirm each participation by email."
    )
    assert done.status_code == 200 and received.split("%(event)s")[-1].strip() in unescape(done.content.decode())
    reg = Registration.objects.get()
    assert (reg.full_name, reg.status, reg.invitation, reg.country.code) == ("Jeanne Dupont", "pending", inv, "FR")
    assert reg.nominated_by is None and reg.passport.number == "12AB34567"
    inv.refresh_from_db()
    assert inv.status == "nominated" and inv.token_used_at is not None
    # The link is spent: a clear page, and nothing more is created.
    again = client.get(path)
    used = _fr("This nomination link has already been used: your administration's answer was received.")
    assert again.status_code == 410 and used in unescape(again.content.decode())
    assert client.post(path, data).status_code == 410 and Registration.objects.count() == 1


def test_expired_and_unknown_links(assistant, client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        inv = _sent(assistant)
    path = "/" + _link(mail.outbox[0]).split("/", 3)[3]
    Invitation.objects.filter(pk=inv.pk).update(token_expires_at=timezone.now() - dt.timedelta(minutes=1))
    response = client.get(path)
    assert response.status_code == 410 and _fr("This nomination link has expired.") in unescape(
        response.content.decode()
    )
    assert client.get("/events/nominate/not-a-real-token/").status_code == 404


def test_resend_replaces_the_link(assistant, client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        inv = _sent(assistant)
        invitations.invitation_send(actor=assistant, invitation=inv)
    first, second = ("/" + _link(m).split("/", 3)[3] for m in mail.outbox)
    assert client.get(first).status_code == 404 and client.get(second).status_code == 200


def test_decline_by_link(assistant, client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        inv = _sent(assistant)
    path = "/" + _link(mail.outbox[0]).split("/", 3)[3]
    empty = client.post(path, {"action": "decline", "reason": ""})
    assert empty.status_code == 400
    assert client.post(path, {"action": "decline", "reason": "No officer available"}).status_code == 200
    inv.refresh_from_db()
    assert (inv.status, inv.decline_reason) == ("declined", "No officer available")


def test_send_without_email_is_refused(assistant):
    from django.core.exceptions import ValidationError

    inv = InvitationFactory(status="draft", recipient=PersonFactory(email="", country="FR"))
    with pytest.raises(ValidationError, match="no email address"):
        invitations.invitation_send(actor=assistant, invitation=inv)


def test_edit_the_letter_before_sending(login, assistant):
    inv = InvitationFactory(
        status="draft",
        language="en",
        recipient=PersonFactory(given_name="Amina", family_name="Diallo", country="SN"),
        country="SN",
    )
    client = login(assistant)
    response = client.post(
        f"/events/invitations/{inv.pk}/", {"intro": "A special opening.", "seats": "5", "language": "en"}
    )
    assert response.status_code == 302
    inv.refresh_from_db()
    assert inv.overrides == {"intro": "A special opening."} and inv.seats == 5
    letter = client.get(f"/events/invitations/{inv.pk}/letter.docx")
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(letter.content)).paragraphs)
    assert "A special opening." in text and "Places offered to your administration: 5" in text
    pdf = client.get(f"/events/invitations/{inv.pk}/letter.pdf?inline=1")
    assert pdf["Content-Disposition"].startswith("inline") and pdf.content.startswith(b"%PDF")
    # A corrected Word file for this invitation only.
    d = docx.Document()
    d.add_paragraph("Corrected letter for {{ name }}")
    buf = io.BytesIO()
    d.save(buf)
    buf.name = "corrected.docx"
    buf.seek(0)
    r = client.post(f"/events/invitations/{inv.pk}/", {"seats": "5", "language": "en", "docx": buf})
    assert r.status_code == 302, re.findall(r"errorlist.*", r.content.decode())
    letter = client.get(f"/events/invitations/{inv.pk}/letter.docx")
    assert docx.Document(io.BytesIO(letter.content)).paragraphs[0].text == "Corrected letter for Amina Diallo"


def test_no_reply_and_reminder_tasks_are_idempotent(assistant, django_capture_on_commit_callbacks):
    today = timezone.localdate()
    late = InvitationFactory(status="sent", reply_by=today - dt.timedelta(days=1))
    soon = InvitationFactory(status="sent", reply_by=today + dt.timedelta(days=3))
    later = InvitationFactory(status="sent", reply_by=today + dt.timedelta(days=30))
    assert invitations.invitations_mark_no_reply(today=today) == 1
    assert invitations.invitations_mark_no_reply(today=today) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert invitations.invitations_send_reminders(today=today) == 1
        assert invitations.invitations_send_reminders(today=today) == 0
    late.refresh_from_db(), soon.refresh_from_db(), later.refresh_from_db()
    assert late.status == "no_reply" and soon.reminded_at is not None and later.reminded_at is None
    assert len(mail.outbox) == 1 and mail.outbox[0].subject.startswith(
        "[Global Shield Hub] " + _fr("Reminder: invitation to the %(event)s").split("%")[0]
    )
    assert AuditEntry.objects.filter(action="events.invitation.no_reply").count() == 1


def test_manual_reminder_button(login, assistant, django_capture_on_commit_callbacks):
    inv = InvitationFactory(status="sent", reply_by=timezone.localdate() + dt.timedelta(days=9))
    client = login(assistant)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/events/invitations/{inv.pk}/remind/")
    assert response.status_code == 302 and len(mail.outbox) == 1 and len(mail.outbox[0].attachments) == 2
    inv.refresh_from_db()
    assert inv.reminded_at is not None


def test_send_all_and_list_page_counts(
    login, assistant, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    event = EventFactory()
    for _ in range(3):
        InvitationFactory(event=event, status="draft", sent_at=None)
    InvitationFactory(event=event, status="declined")
    client = login(assistant)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/events/{event.pk}/invitations/send-all/")
    assert len(mail.outbox) == 3 and Invitation.objects.filter(event=event, status="sent").count() == 3
    with django_assert_max_num_queries(12):
        page = client.get(f"/events/{event.pk}/invitations/")
    body = page.content.decode()
    assert "Sent (3)" in body and "Declined (1)" in body
    for _ in range(10):
        InvitationFactory(event=event, status="sent")
    with django_assert_max_num_queries(12):
        client.get(f"/events/{event.pk}/invitations/")


def test_api_create_from_selection_send_and_list(
    login, assistant, network, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    event = EventFactory()
    client = login(assistant)
    created = client.post(
        f"/api/v1/events/{event.pk}/invitations", {"region": "EUR", "seats": 3}, content_type="application/json"
    )
    assert created.status_code == 201, created.content
    rows = created.json()
    assert sorted((r["country"], r["recipient_name"], r["status"], r["seats"]) for r in rows) == [
        ("DE", "Hans Weber", "draft", 3),
        ("FR", "Claire Martin", "draft", 3),
    ]
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(f"/api/v1/events/invitations/{rows[0]['id']}/send")
    assert sent.status_code == 200 and sent.json()["status"] == "sent" and len(mail.outbox) == 1
    letter = client.get(f"/api/v1/events/invitations/{rows[0]['id']}/letter.pdf")
    assert letter.status_code == 200 and letter.content.startswith(b"%PDF")
    for _ in range(8):
        InvitationFactory(event=event)
    with django_assert_max_num_queries(8):
        listing = client.get(f"/api/v1/events/{event.pk}/invitations")
    assert listing.json()["count"] == 10 and "token_hash" not in listing.content.decode()
