"""Issue 3's journey, as far as the exchange goes today (attachments are still to come): an NCP sends
an AMBER alert to a regional community, another NCP of that region reads and acknowledges it, an NCP
outside the region cannot reach it by list, search or direct URL, and the sender sees the
acknowledgement."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from e2e.conftest import sign_in
from shieldhub.exchange.models import Message
from tests.factories import CommunityFactory, MembershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_alert_to_a_region_read_acknowledged_and_kept_from_outsiders(browser, live_server, ncp_ke, ncp_fr):
    ncp_tz = UserFactory(email="ncp.tz@test.example", roles=["ncp"], full_name="Neema Mushi", country="TZ")
    esa = CommunityFactory(name="PGS East and Southern Africa", slug="pgs-esa", kind="regional", region="ESA")
    MembershipFactory(community=esa, user=ncp_ke)
    MembershipFactory(community=esa, user=ncp_tz)

    contexts = []

    def new_page():
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        contexts.append(context)  # closed at the end, so no page keeps polling the live server
        page = context.new_page()
        page.set_default_timeout(15000)
        page.base_url = live_server.url
        return page

    # the Kenyan NCP writes the alert and previews who will receive it
    sender = new_page()
    sign_in(sender, ncp_ke)
    sender.goto(sender.base_url + "/exchange/compose/")
    sender.select_option("select[name=kind]", "alert")
    sender.fill("input[name=subject]", "AN prills declared as urea at Mombasa")
    sender.fill("textarea[name=body]", "24 t of **ammonium nitrate** found in a container declared as urea.")
    sender.select_option("select[name=tlp]", "amber")
    sender.check(f"input[name=to_communities][value='{esa.pk}']")
    sender.click("text=Preview recipients")
    expect(sender.locator("#recipients-preview")).to_contain_text("Neema Mushi")
    expect(sender.locator("#recipients-preview")).not_to_contain_text("Claire Martin")
    sender.click('main button[type=submit]:has-text("Send")')
    sender.wait_for_url("**/exchange/messages/**")
    message = Message.objects.get(subject="AN prills declared as urea at Mombasa")
    expect(sender.locator("main")).to_contain_text("TLP:AMBER")

    # the Tanzanian NCP finds it in the inbox, reads it and acknowledges it
    reader = new_page()
    sign_in(reader, ncp_tz)
    reader.goto(reader.base_url + "/exchange/")
    reader.click("text=AN prills declared as urea at Mombasa")
    expect(reader.locator("main")).to_contain_text("ammonium nitrate")
    reader.click("text=Acknowledge receipt")
    expect(reader.locator("main")).to_contain_text("You acknowledged it")

    # the French NCP, outside the region, cannot reach it in any way
    outsider = new_page()
    sign_in(outsider, ncp_fr)
    outsider.goto(outsider.base_url + "/exchange/")
    expect(outsider.locator("main")).not_to_contain_text("Mombasa")
    outsider.goto(outsider.base_url + "/exchange/?q=Mombasa")
    expect(outsider.locator("main")).not_to_contain_text("AN prills")
    response = outsider.goto(outsider.base_url + f"/exchange/messages/{message.pk}/")
    assert response is not None and response.status == 404

    # the sender sees the acknowledgement
    sender.goto(sender.base_url + f"/exchange/messages/{message.pk}/")
    receipts = sender.locator("main").inner_text()
    assert "Neema Mushi" in receipts
    row = sender.locator("tr", has_text="Neema Mushi")
    acknowledged_cell = row.locator("td").last
    assert acknowledged_cell.inner_text().strip() not in ("", "—")  # a date, not a dash
    assert message.recipients.get(user=ncp_tz).acknowledged_at is not None
    for context in contexts:
        context.close()
