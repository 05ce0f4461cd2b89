"""Issue 5's training journey: the assistant creates a training in English and French, invites the
NCPs of one WCO region (Europe), the French NCP nominates two officers, the assistant approves them,
ticks their attendance and issues the certificates; the invitation letter (DOCX, French) and the
certificates (PDF, English and French) open and carry the right names in the right language."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from playwright.sync_api import expect

from e2e.conftest import go, sign_in
from shieldhub.events.models import Event, Invitation, Registration

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_training_journey(new_page, assistant, ncp_fr):
    from docx import Document
    from pypdf import PdfReader

    from shieldhub.directory.models import Person
    from shieldhub.reference.models import Country, WcoRegion
    from tests.factories import NominationFactory

    eur = WcoRegion.objects.create(code="EUR", name_en="Europe", name_fr="Europe")
    Country.objects.update_or_create(
        code="FR", defaults={"iso3": "FRA", "numeric": 250, "name_en": "France", "name_fr": "France",
                             "wco_region": eur, "wco_member": True},
    )  # fmt: skip
    person = Person.objects.get(user=ncp_fr)
    person.preferred_language = "fr"
    person.save()
    NominationFactory(person=person, role="primary")

    # 1. The assistant creates the training in English and French and opens it for nominations.
    manager = new_page()
    sign_in(manager, assistant)
    go(manager, "/events/new/")
    start = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    manager.select_option("select[name=kind]", "training")
    manager.fill("input[name=title_en]", "Precursor identification training")
    manager.fill("input[name=title_fr]", "Formation à l'identification des précurseurs")
    manager.fill("input[name=starts_at]", start + "T09:00")
    manager.fill("input[name=ends_at]", start + "T17:00")
    manager.fill("input[name=capacity]", "10")
    manager.fill("input[name=venue_name]", "WCO headquarters, Brussels")
    manager.check("input[name=languages][value=en]")
    manager.check("input[name=languages][value=fr]")
    manager.click("main form button[type=submit]")
    manager.wait_for_load_state("networkidle")
    errors = manager.locator(".errorlist").all_inner_texts()
    assert not errors, errors
    expect(manager.locator("main h1")).to_contain_text("Precursor identification training")
    event = Event.objects.get(title_en="Precursor identification training")
    manager.select_option("select[name=status]", "nominations_open")
    manager.click('main button:has-text("Change the status")')
    manager.wait_for_load_state("networkidle")

    # 2. Invitations to the NCPs of Europe, sent.
    go(manager, f"/events/{event.pk}/invitations/select/")
    manager.select_option("select[name=region]", "EUR")
    manager.click('main button:has-text("Preview the addressees")')
    manager.click('main button:has-text("Prepare the invitations")')
    manager.wait_for_load_state("networkidle")
    go(manager, f"/events/{event.pk}/invitations/")
    manager.click('main button:has-text("Send the")')
    manager.wait_for_load_state("networkidle")
    invitation = Invitation.objects.get(event=event, country="FR")
    assert invitation.status == "sent" and invitation.language == "fr"
    letter = manager.request.get(manager.base_url + f"/events/invitations/{invitation.pk}/letter.docx")
    assert letter.ok
    text = "\n".join(p.text for p in Document(io.BytesIO(letter.body())).paragraphs)
    assert "Martin" in text and "Formation à l'identification des précurseurs" in text

    # 3. The French NCP nominates two officers.
    ncp = new_page()
    sign_in(ncp, ncp_fr)
    go(ncp, f"/events/invitations/{invitation.pk}/nominate/")
    for i, (given, family, email) in enumerate((("Léa", "Moreau", "lea.moreau@douane.example"),
                                                ("Hugo", "Petit", "hugo.petit@douane.example"))):  # fmt: skip
        ncp.fill(f"input[name$='{i}-given_name']", given)
        ncp.fill(f"input[name$='{i}-family_name']", family)
        ncp.fill(f"input[name$='{i}-email']", email)
        ncp.select_option(f"select[name$='{i}-language']", "fr")
    ncp.click('main button:has-text("Send the nominations")')
    ncp.wait_for_load_state("networkidle")
    regs = Registration.objects.filter(event=event).order_by("family_name")
    assert [(r.family_name, r.status) for r in regs] == [("Moreau", "pending"), ("Petit", "pending")]

    # 4. The assistant approves them, ticks their attendance and issues the certificates.
    go(manager, f"/events/{event.pk}/registrations/")
    for _ in range(2):
        manager.locator('main button:text-is("Approve")').first.click()
        manager.wait_for_load_state("networkidle")
    assert set(Registration.objects.filter(event=event).values_list("status", flat=True)) == {"approved"}
    go(manager, f"/events/{event.pk}/attendance/")
    for reg in regs:
        manager.locator(f"#att-{reg.pk} button").click()
        expect(manager.locator(f"#att-{reg.pk}")).to_contain_text("Present")
    go(manager, f"/events/{event.pk}/certificates/")
    manager.click('main button:has-text("Issue for everyone who attended")')
    expect(manager.locator("main")).to_contain_text("2 certificate(s) issued")
    combined = manager.request.get(manager.base_url + f"/events/{event.pk}/certificates.pdf")
    assert combined.ok
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(combined.body())).pages)
    for words in ("Léa Moreau", "Hugo Petit", "Certificate of attendance", "Certificat de participation",
                  "Precursor identification training", "Formation à l'identification des précurseurs"):  # fmt: skip
        assert words in text, words
