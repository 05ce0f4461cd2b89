"""Issue 3's journey: an NCP sends an AMBER alert with a photo to a regional community, another NCP of
that region reads it, sees the photo's thumbnail, downloads the photo and acknowledges the alert; an
NCP outside the region cannot reach the alert by list, search or direct URL, nor its photo or
thumbnail; the sender sees the acknowledgement."""

from __future__ import annotations

import io

import pytest
from PIL import ExifTags, Image
from playwright.sync_api import expect

from e2e.conftest import sign_in
from shieldhub.exchange.models import Attachment, Message
from tests.factories import CommunityFactory, MembershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _photo() -> bytes:
    """A phone photo of the container, with the GPS position of the port in its EXIF."""
    image = Image.new("RGB", (800, 600), (70, 110, 160))
    image.paste((200, 120, 40), (100, 200, 700, 450))
    exif = Image.Exif()
    exif[ExifTags.IFD.GPSInfo] = {1: "S", 2: (4.0, 3.0, 0.0), 3: "E", 4: (39.0, 40.0, 0.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def test_alert_to_a_region_read_acknowledged_and_kept_from_outsiders(
    browser, live_server, ncp_ke, ncp_fr, settings, tmp_path
):
    settings.EXCHANGE_ATTACHMENTS_DIR = tmp_path / "attachments"
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

    def settle(page):
        """Let the page's own htmx requests (badges, thumbnails) finish before the next step: on SQLite
        the live server's shared in-memory database answers concurrent writes with "table is locked"."""
        page.wait_for_load_state("networkidle")

    def go(page, path):
        response = page.goto(page.base_url + path)
        settle(page)
        return response

    # the Kenyan NCP writes the alert and previews who will receive it
    sender = new_page()
    sign_in(sender, ncp_ke)
    settle(sender)
    go(sender, "/exchange/compose/")
    sender.select_option("select[name=kind]", "alert")
    sender.fill("input[name=subject]", "AN prills declared as urea at Mombasa")
    sender.fill("textarea[name=body]", "24 t of **ammonium nitrate** found in a container declared as urea.")
    sender.select_option("select[name=tlp]", "amber")
    sender.check(f"input[name=to_communities][value='{esa.pk}']")
    sender.click("text=Preview recipients")
    expect(sender.locator("#recipients-preview")).to_contain_text("Neema Mushi")
    expect(sender.locator("#recipients-preview")).not_to_contain_text("Claire Martin")
    # … attaches a photo of the container: uploaded at once, listed with its thumbnail
    sender.set_input_files(
        "input[name=upload]", files=[{"name": "container.jpg", "mimeType": "image/jpeg", "buffer": _photo()}]
    )
    item = sender.locator(".attachment-item", has_text="container.jpg")
    expect(item).to_be_visible()
    expect(item.locator("img.attachment-preview")).to_be_visible()
    sender.click('main button[type=submit]:has-text("Send")')
    sender.wait_for_url("**/exchange/messages/**")
    message = Message.objects.get(subject="AN prills declared as urea at Mombasa")
    expect(sender.locator("main")).to_contain_text("TLP:AMBER")
    photo = Attachment.objects.get(message=message)
    assert photo.kind == "image" and photo.original_name == "container.jpg"
    photo_url = f"/exchange/attachments/{photo.pk}/"
    thumbnail_url = f"/exchange/attachments/{photo.pk}/thumbnail/"
    settle(sender)
    sender.goto("about:blank")  # no polling while the others act

    # the Tanzanian NCP finds it in the inbox, reads it and acknowledges it
    reader = new_page()
    sign_in(reader, ncp_tz)
    settle(reader)
    go(reader, "/exchange/")
    reader.click("text=AN prills declared as urea at Mombasa")
    expect(reader.locator("main")).to_contain_text("ammonium nitrate")
    # the thumbnail is shown (and loaded), the photo downloads, without its GPS position
    thumbnail = reader.locator("figure img[alt='Photo: container.jpg']")
    expect(thumbnail).to_be_visible()
    settle(reader)
    for _retry in range(3):
        # The thumbnail loads alongside the page's badges; the live server's shared in-memory SQLite
        # may refuse one of these concurrent session writes ("table is locked"): load the page again.
        if thumbnail.evaluate("img => img.complete && img.naturalWidth > 0"):
            break
        reader.reload()
        settle(reader)
    assert thumbnail.evaluate("img => img.decode().then(() => img.naturalWidth)") == 320
    with reader.expect_download() as download_info:
        reader.locator("figure").get_by_role("link", name="Download").click()
    download = download_info.value
    assert download.suggested_filename == "container.jpg"
    downloaded = Image.open(download.path())
    assert downloaded.size == (800, 600) and dict(downloaded.getexif()) == {}
    reader.click("text=Acknowledge receipt")
    expect(reader.locator("main")).to_contain_text("You acknowledged it")
    settle(reader)
    # the same search that finds nothing for the outsider below finds it for the reader
    go(reader, "/exchange/?q=Mombasa")
    expect(reader.locator("main")).to_contain_text("AN prills declared as urea at Mombasa")
    settle(reader)
    reader.context.close()

    # the French NCP, outside the region, cannot reach it in any way
    outsider = new_page()
    sign_in(outsider, ncp_fr)
    settle(outsider)
    go(outsider, "/exchange/")
    expect(outsider.locator("main")).not_to_contain_text("Mombasa")
    go(outsider, "/exchange/?q=Mombasa")
    expect(outsider.locator("main")).not_to_contain_text("AN prills")
    response = go(outsider, f"/exchange/messages/{message.pk}/")
    assert response is not None and response.status == 404
    for url in (photo_url, thumbnail_url):
        response = go(outsider, url)
        assert response is not None and response.status == 404, url
    outsider.goto("about:blank")

    # the sender sees the acknowledgement
    go(sender, f"/exchange/messages/{message.pk}/")
    receipts = sender.locator("main").inner_text()
    assert "Neema Mushi" in receipts
    row = sender.locator("tr", has_text="Neema Mushi")
    acknowledged_cell = row.locator("td").last
    assert acknowledged_cell.inner_text().strip() not in ("", "—")  # a date, not a dash
    assert message.recipients.get(user=ncp_tz).acknowledged_at is not None
    for context in contexts:
        context.close()
