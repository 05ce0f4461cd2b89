"""Forwarding (rules per TLP and handling code, the chain, releasability), quoting, on the service,
the pages and the API, and who reaches those surfaces at all."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse

from shieldhub.core.models import AuditEntry
from shieldhub.exchange import forwarding, services
from shieldhub.exchange.models import Message, MessageRecipient
from shieldhub.exchange.services import Distribution
from shieldhub.reference.models import CatalogueItem
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def nitrate(db):
    return CatalogueItem.objects.create(
        code="ammonium-nitrate-test", category="precursor", name_en="Ammonium nitrate", cas="6484-52-2"
    )


def _received(message):
    return set(MessageRecipient.objects.filter(message=message).values_list("user__email", flat=True))


def _forward(actor, message, *, countries=(), users=(), communities=(), **kwargs):
    dist = Distribution(communities=[c.pk for c in communities], countries=list(countries), users=[u.pk for u in users])
    return forwarding.message_forward(actor=actor, message=message, distribution=dist, **kwargs)


def _api_forward(client, message, distribution, **extra):
    return client.post(
        f"/api/v1/exchange/messages/{message.pk}/forward",
        {"distribution": distribution, **extra},
        content_type="application/json",
    )


# --- what a forward is --------------------------------------------------------------------------


def test_forward_keeps_the_handling_and_quotes_the_original(ncp_fr, ncp_ke, ncp_ke2, ncp_de, nitrate, send):
    original = send(
        ncp_fr,
        countries=["KE"],
        involved=[("FR", "origin"), ("KE", "destination")],
        tlp="amber",
        handling_code="not_for_court",
        source_reliability="B",
        information_credibility="2",
        releasable_interpol=True,
        precursors=[nitrate.pk],
        hs_codes=["3102.30"],
        tags=["Mombasa"],
        body="Seen at **Mombasa**.\nSecond line.",
    )
    forward = _forward(ncp_ke, original, countries=["DE"], note="For your port teams.")

    forward.refresh_from_db()
    assert forward.forwarded_from_id == original.pk and forward.sender == ncp_ke
    assert forward.subject == "Fwd: Ammonium nitrate diverted"
    assert forward.kind == "alert" and forward.status == "sent"
    assert (forward.tlp, forward.handling_code, forward.source_reliability, forward.information_credibility) == (
        "amber",
        "not_for_court",
        "B",
        "2",
    )
    assert forward.releasable_interpol and not forward.releasable_unodc
    assert list(forward.precursors.all()) == [nitrate]
    assert {(c.country.code, c.role) for c in forward.countries.all()} == {("FR", "origin"), ("KE", "destination")}
    assert forward.hs_codes == ["3102.30"] and forward.tags == ["Mombasa"]
    # the note, then the original as a blockquote headed "From X (country), date"
    assert forward.body.startswith("For your port teams.\n\n> *From Claire Martin (France), ")
    assert "> **Ammonium nitrate diverted**" in forward.body
    assert "> Seen at **Mombasa**.\n> Second line." in forward.body
    assert _received(forward) == {"ncp.de@test.example"}
    entry = AuditEntry.objects.get(action="exchange.message_forward")
    assert entry.object_id == str(forward.pk)
    assert entry.extra["forwarded_from"] == original.pk and entry.extra["chain"] == [forward.pk, original.pk]
    assert entry.extra["releasability"] == ["interpol"] and entry.extra["recipients"] == 1


def test_the_recipient_of_a_forward_does_not_gain_the_original(login, ncp_fr, ncp_ke, ncp_de, send):
    original = send(ncp_fr, countries=["KE"])
    forward = _forward(ncp_ke, original, countries=["DE"])
    client = login(ncp_de)
    assert client.get(reverse("exchange:message-detail", args=[forward.pk])).status_code == 200
    assert client.get(reverse("exchange:message-detail", args=[original.pk])).status_code == 404


def test_forward_of_a_forward_is_not_prefixed_twice(ncp_fr, ncp_ke, ncp_de, ncp_ke2, send):
    original = send(ncp_fr, countries=["KE"])
    first = _forward(ncp_ke, original, countries=["DE"])
    second = _forward(ncp_de, first, users=[ncp_ke2])
    assert second.subject == "Fwd: Ammonium nitrate diverted"


# --- the rules ----------------------------------------------------------------------------------


def test_red_is_never_forwarded_not_even_by_its_sender(login, ncp_fr, ncp_ke, ncp_de, send):
    red = send(ncp_fr, countries=["KE"], tlp="red")
    for actor in (ncp_ke, ncp_fr):
        allowed, reason, _constraints = forwarding.forward_rules(red, actor)
        assert not allowed and "TLP:RED" in reason
        with pytest.raises(PermissionDenied):
            _forward(actor, red, countries=["DE"])
    client = login(ncp_ke)
    page = client.get(reverse("exchange:message-forward", args=[red.pk]))
    assert page.status_code == 403 and b"never forwarded" in page.content and b"forward-form" not in page.content
    post = client.post(reverse("exchange:message-forward", args=[red.pk]), {"to_countries": "DE"})
    assert post.status_code == 403
    api = _api_forward(client, red, {"countries": ["DE"]})
    assert api.status_code == 403 and "TLP:RED" in api.json()["error"]["message"]
    detail = client.get(reverse("exchange:message-detail", args=[red.pk]))
    assert b"never forwarded" in detail.content
    assert reverse("exchange:message-forward", args=[red.pk]).encode() not in detail.content
    assert Message.objects.filter(forwarded_from=red).count() == 0
    assert not AuditEntry.objects.filter(action="exchange.message_forward").exists()


def test_a_withdrawn_message_cannot_be_forwarded(login, ncp_fr, ncp_ke, ncp_de, send):
    message = send(ncp_fr, countries=["KE"])
    services.message_withdraw(actor=ncp_fr, message=message, note="Wrong port")
    message.refresh_from_db()
    with pytest.raises(ValidationError):
        _forward(ncp_fr, message, countries=["DE"])
    client = login(ncp_ke)
    assert client.get(reverse("exchange:message-forward", args=[message.pk])).status_code == 403
    assert _api_forward(client, message, {"countries": ["DE"]}).status_code == 422
    assert Message.objects.filter(forwarded_from=message).count() == 0


def test_no_onward_sharing_only_by_the_originator(login, ncp_fr, ncp_ke, ncp_ke2, ncp_de, send):
    message = send(ncp_fr, countries=["KE"], handling_code="no_onward_sharing")
    allowed, reason, constraints = forwarding.forward_rules(message, ncp_ke)
    assert not allowed and "consent" in reason and constraints.ask_originator
    with pytest.raises(PermissionDenied):
        _forward(ncp_ke, message, countries=["DE"])
    client = login(ncp_ke)
    detail = client.get(reverse("exchange:message-detail", args=[message.pk]))
    assert b"consented to onward sharing" in detail.content and b"Ask the sender in a reply" in detail.content
    page = client.get(reverse("exchange:message-forward", args=[message.pk]))
    assert page.status_code == 403 and b"Ask the sender in a reply" in page.content
    assert _api_forward(client, message, {"countries": ["DE"]}).status_code == 403

    # the originator may, and the forward carries the code: its recipients may not pass it on
    forward = _forward(ncp_fr, message, countries=["DE"])
    assert forward.handling_code == "no_onward_sharing"
    assert not forwarding.forward_rules(forward, ncp_de).allowed
    assert forwarding.forward_rules(forward, ncp_fr).allowed


def test_other_restriction_only_by_the_originator_with_its_text(ncp_fr, ncp_ke, ncp_de, send):
    message = send(ncp_fr, countries=["KE"], handling_code="other", handling_text="Not before 1 May")
    allowed, reason, _c = forwarding.forward_rules(message, ncp_ke)
    assert not allowed and "Not before 1 May" in reason
    forward = _forward(ncp_fr, message, countries=["DE"])
    assert (forward.handling_code, forward.handling_text) == ("other", "Not before 1 May")


def test_not_for_court_travels_with_the_forward(ncp_fr, ncp_ke, ncp_de, send):
    message = send(ncp_fr, countries=["KE"], handling_code="not_for_court")
    allowed, reason, _constraints = forwarding.forward_rules(message, ncp_ke)
    assert allowed and "Not for use in court without consent" in reason
    assert _forward(ncp_ke, message, countries=["DE"]).handling_code == "not_for_court"


def test_amber_strict_stays_in_the_forwarders_country_or_organisation(login, ncp_fr, ncp_ke, ncp_ke2, ncp_de, send):
    message = send(ncp_fr, countries=["KE"], tlp="amber_strict")
    with pytest.raises(ValidationError) as exc:
        _forward(ncp_ke, message, countries=["DE"])
    assert "distribution" in exc.value.message_dict and "Dieter Braun" in str(exc.value)
    assert Message.objects.filter(forwarded_from=message).count() == 0
    # another Kenyan NCP: same country
    forward = _forward(ncp_ke, message, users=[ncp_ke2])
    assert forward.tlp == "amber_strict" and _received(forward) == {"ncp2.ke@test.example"}
    # the same agency in another country counts as the organisation
    colleague = UserFactory(roles=["ncp"], country="UG", agency=ncp_ke.agency, full_name="Uganda Desk", mfa=False)
    assert _received(_forward(ncp_ke, message, users=[colleague])) == {colleague.email}
    # the page and the API refuse the same way, and the preview says so before sending
    client = login(ncp_ke)
    page = client.get(reverse("exchange:message-forward", args=[message.pk]))
    assert page.status_code == 200 and b"only people of your own country or organisation" in page.content
    preview = client.post(reverse("exchange:forward-preview", args=[message.pk]), {"to_countries": "DE"})
    assert b"Dieter Braun" in preview.content and b"msg-error" in preview.content
    post = client.post(reverse("exchange:message-forward", args=[message.pk]), {"to_countries": "DE"})
    assert post.status_code == 200 and b"Outside it" in post.content
    api = _api_forward(client, message, {"countries": ["DE"]})
    assert api.status_code == 422 and "distribution" in api.json()["error"]["details"]


def test_amber_strict_secretariat_forwards_within_the_secretariat(coordinator, analyst, ncp_fr, ncp_de, send):
    message = send(ncp_fr, users=[coordinator], tlp="amber_strict")
    assert _received(_forward(coordinator, message, users=[analyst])) == {"analyst@test.example"}
    with pytest.raises(ValidationError):
        _forward(coordinator, message, users=[ncp_de])


def test_customs_only_never_reaches_partners(ncp_fr, ncp_ke, ncp_de, europe, partner_interpol, admin_user, send):
    MembershipFactory(community=europe, user=partner_interpol)
    message = send(ncp_fr, countries=["KE"], handling_code="customs_only", releasable_interpol=True)
    allowed, _reason, constraints = forwarding.forward_rules(message, ncp_ke)
    assert allowed and constraints.customs_only and constraints.releasability == ()
    MembershipFactory(community=europe, user=ncp_ke)
    forward = _forward(ncp_ke, message, communities=[europe])
    assert not forward.releasable_interpol and _received(forward) == {"ncp.de@test.example", "ncp.fr@test.example"}
    for outsider_of_customs in (partner_interpol, admin_user):
        with pytest.raises(ValidationError):
            _forward(ncp_ke, message, users=[outsider_of_customs])
    with pytest.raises(ValidationError):
        _forward(ncp_ke, message, countries=["DE"], releasability=["interpol"])


def test_releasability_is_never_widened(login, ncp_fr, ncp_ke, ncp_de, send):
    message = send(ncp_fr, countries=["KE"], releasable_interpol=True)
    client = login(ncp_ke)
    for wanted in (["unodc"], ["interpol", "unodc"], ["nobody"]):
        response = _api_forward(client, message, {"countries": ["DE"]}, releasability=wanted)
        assert response.status_code == 422 and "releasability" in response.json()["error"]["details"]
    narrowed = _api_forward(client, message, {"countries": ["DE"]}, releasability=[])
    assert narrowed.status_code == 201 and narrowed.json()["releasability"] == []
    kept = _api_forward(client, message, {"countries": ["DE"]})
    assert kept.status_code == 201 and kept.json()["releasability"] == ["interpol"]
    assert kept.json()["forwarded_from"] == message.pk
    # on the page, a partner the original leaves out cannot be ticked
    response = client.post(
        reverse("exchange:message-forward", args=[message.pk]),
        {"to_countries": "DE", "releasable_interpol": "on", "releasable_unodc": "on"},
    )
    assert response.status_code == 302
    forward = Message.objects.filter(forwarded_from=message).latest("pk")
    assert forward.releasable_interpol and not forward.releasable_unodc


# --- the pages ----------------------------------------------------------------------------------


def test_forward_page_form_preview_and_send(login, ncp_fr, ncp_ke, ncp_de, ncp_ke2, europe, send):
    message = send(ncp_fr, countries=["KE"], handling_code="not_for_court", body="Seen at **Le Havre**.")
    client = login(ncp_ke)
    detail = client.get(reverse("exchange:message-detail", args=[message.pk]))
    assert reverse("exchange:message-forward", args=[message.pk]).encode() in detail.content
    page = client.get(reverse("exchange:message-forward", args=[message.pk]))
    assert page.status_code == 200
    content = page.content.decode()
    assert (
        'name="to_countries"' in content
        and 'name="note"' in content
        and reverse("exchange:forward-preview", args=[message.pk]) in content
    )
    assert "Not for use in court without consent" in content  # the rule shown before sending
    assert "<blockquote>" in content and "Le Havre" in content  # what will be quoted
    preview = client.post(reverse("exchange:forward-preview", args=[message.pk]), {"to_countries": "DE"})
    assert b"Dieter Braun" in preview.content and b"msg-error" not in preview.content
    response = client.post(
        reverse("exchange:message-forward", args=[message.pk]), {"to_countries": "DE", "note": "FYI"}
    )
    forward = Message.objects.get(forwarded_from=message)
    assert response.status_code == 302 and response.url == reverse("exchange:message-detail", args=[forward.pk])
    assert _received(forward) == {"ncp.de@test.example"} and forward.body.startswith("FYI\n\n> ")
    empty = client.post(reverse("exchange:message-forward", args=[message.pk]), {"note": "x"})
    assert empty.status_code == 200 and b"Choose at least one" in empty.content


def test_the_chain_is_recorded_and_shown_as_far_as_each_reader_may_see(login, ncp_fr, ncp_ke, ncp_ke2, ncp_de, send):
    m1 = send(ncp_fr, countries=["KE"], subject="Original alert")
    m2 = _forward(ncp_ke, m1, countries=["DE"], note="first hop")
    m3 = _forward(ncp_de, m2, users=[ncp_ke2], note="second hop")
    assert AuditEntry.objects.filter(action="exchange.message_forward").latest("seq").extra["chain"] == [
        m3.pk,
        m2.pk,
        m1.pk,
    ]
    # Grace (ncp_ke2) received m1 and m3, not m2: m2 is "an earlier message", with no detail
    chain = forwarding.forward_chain(user=ncp_ke2, message=m3)
    assert [link.message for link in chain.ancestors] == [m1, None]
    client = login(ncp_ke2)
    page = client.get(reverse("exchange:message-detail", args=[m3.pk])).content.decode()
    assert "Forwarded from" in page and "An earlier message" in page
    assert reverse("exchange:message-detail", args=[m1.pk]) in page
    assert reverse("exchange:message-detail", args=[m2.pk]) not in page
    api = client.get(f"/api/v1/exchange/messages/{m3.pk}/forwards").json()
    assert [link["visible"] for link in api["forwarded_from"]] == [True, False]
    assert api["forwarded_from"][0]["id"] == m1.pk and api["forwarded_from"][1]["id"] is None
    # on the original, Grace does not see John's forward (she is not among its recipients)
    original = client.get(reverse("exchange:message-detail", args=[m1.pk])).content.decode()
    assert reverse("exchange:message-detail", args=[m2.pk]) not in original
    # John sees where he forwarded it, and by whom
    john = login(ncp_ke).get(reverse("exchange:message-detail", args=[m1.pk])).content.decode()
    assert "Forwarded to" in john and reverse("exchange:message-detail", args=[m2.pk]) in john
    assert "to Germany, by John Otieno" in john
    forwards = login(ncp_ke).get(f"/api/v1/exchange/messages/{m1.pk}/forwards").json()["forwards"]
    assert [(f["id"], f["to"]) for f in forwards] == [(m2.pk, ["Germany"])]


def test_named_people_of_a_forward_are_shown_to_its_sender_only(ncp_fr, ncp_ke, ncp_ke2, send):
    m1 = send(ncp_fr, countries=["KE"])
    m2 = _forward(ncp_ke, m1, users=[ncp_ke2])
    assert forwarding.forward_chain(user=ncp_ke, message=m1).forwards[0].targets == ["Grace Wanjiru"]
    # Grace sees the forward she received, not the names of whom it named
    assert forwarding.forward_chain(user=ncp_ke2, message=m1).forwards[0].targets == ["1 named person"]
    assert m2.pk == forwarding.forward_chain(user=ncp_ke2, message=m1).forwards[0].pk


# --- quoting ------------------------------------------------------------------------------------


def test_quote_prefills_the_reply(login, ncp_fr, ncp_ke, ncp_ke2, send):
    root = send(ncp_fr, countries=["KE"], body="Line one\n\nLine two")
    reply = services.message_reply(actor=ncp_ke, parent=root, data={"body": "Confirmed in *Mombasa*"})
    client = login(ncp_ke2)
    response = client.get(reverse("exchange:message-detail", args=[root.pk]), {"quote": reply.pk})
    initial = response.context["reply_form"].initial["body"]
    assert initial.startswith("> *From John Otieno (Kenya), ") and "> Confirmed in *Mombasa*" in initial
    assert b'id="reply"' in response.content and b"&gt; *From John Otieno" in response.content
    assert f"?quote={reply.pk}#reply".encode() in response.content  # the thread's quote links
    own = client.get(reverse("exchange:message-detail", args=[root.pk]), {"quote": root.pk})
    assert own.context["reply_form"].initial["body"].startswith("> *From Claire Martin (France), ")
    assert "> Line one\n>\n> Line two" in own.context["reply_form"].initial["body"]


def test_quote_outside_the_thread_or_unseen_prefills_nothing(login, ncp_fr, ncp_ke, ncp_de, send):
    root = send(ncp_fr, countries=["KE"])
    elsewhere = send(ncp_fr, countries=["KE"], subject="Another thread")
    unseen = send(ncp_fr, countries=["DE"], subject="Not for Kenya")
    client = login(ncp_ke)
    for quote in (elsewhere.pk, unseen.pk, "abc"):
        response = client.get(reverse("exchange:message-detail", args=[root.pk]), {"quote": quote})
        assert response.status_code == 200 and not response.context["reply_form"].initial.get("body")
    with pytest.raises(ValidationError):
        forwarding.quote_for_reply(user=ncp_ke, message=root, quote_id=elsewhere.pk)
    with pytest.raises(Http404):
        forwarding.quote_for_reply(user=ncp_ke, message=root, quote_id=unseen.pk)


def test_quoted_reply_through_the_api(login, ncp_fr, ncp_ke, ncp_de, send):
    root = send(ncp_fr, countries=["KE"], body="Original text")
    other = send(ncp_fr, countries=["KE"], subject="Another thread")
    unseen = send(ncp_fr, countries=["DE"])
    client = login(ncp_ke)
    url = f"/api/v1/exchange/messages/{root.pk}/quoted-reply"
    response = client.post(url, {"quote": root.pk, "body": "Agreed."}, content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()["body"]
    assert body.startswith("> *From Claire Martin (France), ") and body.endswith("> Original text\n\nAgreed.")
    assert response.json()["in_reply_to"] == root.pk
    assert client.post(url, {"quote": other.pk}, content_type="application/json").status_code == 422
    assert client.post(url, {"quote": unseen.pk}, content_type="application/json").status_code == 404


# --- who reaches the forwarding surfaces --------------------------------------------------------


@pytest.mark.parametrize(
    "persona",
    ["ncp_ke", "coordinator", "analyst", "trainer", "assistant", "admin_user", "partner_interpol", "donor", "outsider"],
    indirect=True,
)
def test_nobody_outside_the_distribution_reaches_forwarding(login, persona, ncp_fr, ncp_de, europe, send):
    message = send(ncp_fr, communities=[europe], subject="Europe only", releasable_interpol=True)
    client = login(persona)
    assert client.get(reverse("exchange:message-forward", args=[message.pk])).status_code in (403, 404)
    assert client.post(reverse("exchange:message-forward", args=[message.pk]), {"to_countries": "KE"}).status_code in (
        403,
        404,
    )
    assert client.post(reverse("exchange:forward-preview", args=[message.pk]), {"to_countries": "KE"}).status_code in (
        403,
        404,
    )
    assert _api_forward(client, message, {"countries": ["KE"]}).status_code in (401, 403, 404)
    assert client.get(f"/api/v1/exchange/messages/{message.pk}/forwards").status_code in (401, 403, 404)
    quoted = client.post(
        f"/api/v1/exchange/messages/{message.pk}/quoted-reply", {"quote": message.pk}, content_type="application/json"
    )
    assert quoted.status_code in (401, 403, 404)
    with pytest.raises((Http404, PermissionDenied)):
        _forward(persona, message, countries=["KE"])
    assert Message.objects.filter(forwarded_from=message).count() == 0


def test_exchange_users_outside_get_404(login, ncp_ke, ncp_fr, ncp_de, europe, send):
    message = send(ncp_fr, communities=[europe])
    client = login(ncp_ke)
    assert client.get(reverse("exchange:message-forward", args=[message.pk])).status_code == 404
    assert _api_forward(client, message, {"countries": ["KE"]}).status_code == 404
    assert client.get(f"/api/v1/exchange/messages/{message.pk}/forwards").status_code == 404


def test_read_only_token_cannot_forward(client, ncp_fr, ncp_ke, ncp_de, send):
    from shieldhub.accounts.services import api_token_create

    message = send(ncp_fr, countries=["KE"])
    _token, raw = api_token_create(actor=ncp_ke, user=ncp_ke, name="ro", scopes=["read"], expires_in_days=30)
    response = client.post(
        f"/api/v1/exchange/messages/{message.pk}/forward",
        {"distribution": {"countries": ["DE"]}},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert response.status_code == 403
    assert Message.objects.filter(forwarded_from=message).count() == 0


def test_forward_partner_sees_only_what_is_releasable(ncp_fr, ncp_ke, europe, partner_interpol, send):
    """A forward keeps the partner out when the original was not releasable to them."""
    MembershipFactory(community=europe, user=partner_interpol)
    MembershipFactory(community=europe, user=ncp_ke)
    message = send(ncp_fr, countries=["KE"])
    forward = _forward(ncp_ke, message, communities=[europe])
    assert partner_interpol.email not in _received(forward)


# --- attachments and moderation -----------------------------------------------------------------


def test_a_forward_shares_the_attachments(login, settings, tmp_path, ncp_fr, ncp_ke, ncp_de, send):
    from shieldhub.exchange import attachments
    from tests.exchange.test_attachments import jpeg_with_gps, upload

    settings.EXCHANGE_ATTACHMENTS_DIR = tmp_path / "attachments"
    photo = attachments.attachment_upload(actor=ncp_fr, file=upload("seizure.jpg", jpeg_with_gps(), "image/jpeg"))
    original = services.message_send(
        actor=ncp_fr,
        data={"kind": "alert", "subject": "Photo alert", "body": "See the photo.", "tlp": "amber"},
        distribution=Distribution(countries=["KE"]),
        attachments=[photo.pk],
    )
    forward = _forward(ncp_ke, original, countries=["DE"])
    copies = list(forward.attachments.all())
    assert [(a.original_name, a.sha256) for a in copies] == [("seizure.jpg", photo.sha256)]
    assert AuditEntry.objects.get(action="exchange.message_forward").extra["attachments"] == [copies[0].pk]
    download = login(ncp_de).get(reverse("exchange:attachment-download", args=[copies[0].pk]))
    assert download.status_code == 200
    assert login(ncp_de).get(reverse("exchange:attachment-download", args=[photo.pk])).status_code == 404


def test_a_forward_to_a_moderated_community_waits_and_is_checked_again(ncp_fr, ncp_ke, ncp_ke2, send):
    from tests.factories import CommunityFactory

    moderated = CommunityFactory(name="Moderated", slug="moderated-fwd", requires_moderation=True)
    MembershipFactory(community=moderated, user=ncp_ke)
    MembershipFactory(community=moderated, user=ncp_ke2, role="moderator")
    message = send(ncp_fr, countries=["KE"], tlp="amber_strict")
    forward = _forward(ncp_ke, message, communities=[moderated])
    assert forward.status == "pending" and not MessageRecipient.objects.filter(message=forward).exists()
    entry = AuditEntry.objects.get(action="exchange.message_forward")
    assert entry.extra["status"] == "pending" and entry.extra["recipients"] == 0
    # at approval, the recipients resolved then must still be within the rules
    forwarding.check_forward_delivery(message=forward, users=[ncp_ke2])
    outsider = UserFactory(roles=["ncp"], country="UG", full_name="Late Joiner", mfa=False)
    with pytest.raises(ValidationError, match="Late Joiner"):
        forwarding.check_forward_delivery(message=forward, users=[ncp_ke2, outsider])
    forwarding.check_forward_delivery(message=message, users=[outsider])  # not a forward: nothing to check
