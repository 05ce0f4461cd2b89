"""Who reaches the invitations pages: every URL × every persona, with real records."""

from __future__ import annotations

import pytest

from tests.conftest import PERSONAS
from tests.events.factories import EventFactory, InvitationFactory

pytestmark = pytest.mark.django_db

MANAGERS = {"coordinator", "trainer", "assistant"}
SECRETARIAT = MANAGERS | {"analyst"}


def _expected(kind: str, persona: str) -> set[int]:
    if kind == "manage":
        return {200, 302} if persona in MANAGERS else {401, 403, 404}
    if kind == "see":  # the French invitation (sent)
        return {200} if persona in SECRETARIAT | {"ncp_fr"} else {401, 403, 404}
    if kind == "answer":  # the French NCP only
        return {200} if persona == "ncp_fr" else {401, 404}
    raise AssertionError(kind)


@pytest.mark.parametrize("persona", PERSONAS, indirect=True)
def test_invitation_pages_by_persona(login, persona, request):
    name = next(n for n in PERSONAS if request.getfixturevalue(n) == persona)
    event = EventFactory()
    inv = InvitationFactory(event=event, country="FR")
    draft = InvitationFactory(event=event, country="FR", status="draft", sent_at=None)
    from shieldhub.events import letters

    template = letters.letter_templates_ensure_defaults()[0]
    client = login(persona)
    checks = [
        ("get", "/events/letter-templates/", "manage"),
        ("get", f"/events/letter-templates/{template.pk}/download/", "manage"),
        ("post", f"/events/letter-templates/{template.pk}/default/", "manage"),
        ("get", f"/events/{event.pk}/invitations/select/", "manage"),
        ("post", f"/events/{event.pk}/invitations/send-all/", "manage"),
        ("post", f"/events/invitations/{inv.pk}/remind/", "manage"),
        ("get", f"/events/{event.pk}/invitations/", "see"),
        ("get", f"/events/invitations/{inv.pk}/", "see"),
        ("get", f"/events/invitations/{inv.pk}/letter.docx", "see"),
        ("get", f"/events/invitations/{inv.pk}/nominate/", "answer"),
        ("get", f"/api/v1/events/invitations/{inv.pk}", "see"),
    ]
    for method, url, kind in checks:
        status = getattr(client, method)(url).status_code
        assert status in _expected(kind, name), f"{method} {url} answered {status} to {name}"
    # A prepared invitation is the secretariat's alone.
    status = client.get(f"/events/invitations/{draft.pk}/").status_code
    assert status == (200 if name in SECRETARIAT else 404), name
    # Sending is for managers (the API too).
    api = client.post(f"/api/v1/events/invitations/{draft.pk}/send")
    assert (api.status_code == 200) == (name in MANAGERS), (name, api.status_code)


def test_anonymous_is_sent_to_login_but_the_link_page_is_public(client):
    event = EventFactory()
    inv = InvitationFactory(event=event)
    for url in ("/events/letter-templates/", f"/events/{event.pk}/invitations/", f"/events/invitations/{inv.pk}/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), url
    assert client.get("/events/nominate/made-up/").status_code == 404
