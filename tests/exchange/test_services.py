from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from shieldhub.core.models import AuditEntry
from shieldhub.exchange import selectors, services
from shieldhub.exchange.models import MessageRecipient, MessageVersion
from shieldhub.exchange.services import Distribution
from tests.factories import CommunityFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def _recipients(message):
    return {r.user.email: (r.reason, r.reason_detail) for r in MessageRecipient.objects.filter(message=message)}


def test_recipients_are_resolved_and_recorded(ncp_fr, ncp_de, ncp_ke, ncp_ke2, europe, analyst, donor, send):
    inactive = UserFactory(roles=["ncp"], country="KE", is_active=False, mfa=False)
    MembershipFactory(community=europe, user=donor)  # a donor in a community never receives
    message = send(ncp_fr, communities=[europe], countries=["KE"], users=[analyst])
    assert _recipients(message) == {
        "ncp.de@test.example": ("community", "Europe"),
        "ncp.ke@test.example": ("country", "KE"),
        "ncp2.ke@test.example": ("country", "KE"),
        "analyst@test.example": ("user", ""),
    }
    assert inactive.email not in _recipients(message)
    assert message.status == "sent" and message.version == 1 and message.sender_country == "FR"
    assert list(message.versions.values_list("number", "change")) == [(1, "original")]
    assert {(d.target_kind, str(d)) for d in message.distribution.all()} == {
        ("community", "Europe"),
        ("country", "Kenya"),
        ("user", "Ana Analyst"),
    }
    entry = AuditEntry.objects.get(action="exchange.message_send")
    assert entry.object_id == str(message.pk) and entry.extra["recipients"] == 4


def test_preview_lists_exactly_who_will_receive(ncp_fr, ncp_de, europe, partner_interpol):
    MembershipFactory(community=europe, user=partner_interpol)
    dist = Distribution(communities=[europe.pk])
    assert services.message_recipients_preview(actor=ncp_fr, distribution=dist) == [ncp_de]
    with_interpol = services.message_recipients_preview(
        actor=ncp_fr, distribution=dist, data={"releasable_interpol": True}
    )
    assert set(with_interpol) == {ncp_de, partner_interpol}


def test_cannot_send_to_a_community_one_is_not_in(ncp_ke, europe, send):
    with pytest.raises(ValidationError) as exc:
        send(ncp_ke, communities=[europe])
    assert "communities" in exc.value.message_dict


def test_special_alerts_are_the_secretariats(ncp_fr, coordinator, ncp_ke, send):
    with pytest.raises(ValidationError):
        send(ncp_fr, users=[ncp_ke], kind="special_alert")
    assert send(coordinator, users=[ncp_ke], kind="special_alert").kind == "special_alert"


def test_donors_and_outsiders_cannot_send(donor, outsider, ncp_fr, send):
    for user in (donor, outsider):
        with pytest.raises(PermissionDenied):
            send(user, users=[ncp_fr])


def test_validation_handling_hs_and_empty_distribution(ncp_fr, ncp_ke, send):
    with pytest.raises(ValidationError) as exc:
        send(ncp_fr, users=[ncp_ke], handling_code="other")
    assert "handling_text" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        send(ncp_fr, users=[ncp_ke], hs_codes=["31x"])
    assert "hs_codes" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        send(ncp_fr)
    assert "distribution" in exc.value.message_dict
    message = send(
        ncp_fr, users=[ncp_ke], hs_codes=["3102.30", "3102.30"], tags=["port", ""], involved=[("FR", "origin")]
    )
    assert message.hs_codes == ["3102.30"] and message.tags == ["port"]
    assert [(c.country.code, c.role) for c in message.countries.all()] == [("FR", "origin")]


def test_reply_stays_within_the_distribution(ncp_fr, ncp_de, ncp_ke, europe, analyst, send):
    original = send(ncp_fr, communities=[europe], users=[ncp_ke])
    reply = services.message_reply(actor=ncp_de, parent=original, data={"body": "We saw it too."})
    assert set(_recipients(reply)) == {"ncp.fr@test.example", "ncp.ke@test.example"}
    assert reply.thread_root_id == original.pk and reply.in_reply_to_id == original.pk
    assert reply.subject == "Re: Ammonium nitrate diverted" and reply.tlp == "amber"
    narrowed = services.message_reply(actor=ncp_ke, parent=reply, data={"body": "Thanks"}, narrow_to=[ncp_de.pk])
    assert set(_recipients(narrowed)) == {"ncp.de@test.example"}
    assert narrowed.thread_root_id == original.pk
    with pytest.raises(ValidationError):
        services.message_reply(actor=ncp_de, parent=original, data={"body": "x"}, narrow_to=[analyst.pk])
    with pytest.raises(ValidationError):
        services.message_reply(actor=ncp_de, parent=original, data={"body": "x", "tlp": "clear"})
    with pytest.raises(Http404):  # the analyst never received it
        services.message_reply(actor=analyst, parent=original, data={"body": "x"})
    assert AuditEntry.objects.filter(action="exchange.message_reply").count() == 2


def test_read_and_acknowledge(ncp_fr, ncp_ke, send):
    alert = send(ncp_fr, users=[ncp_ke])
    assert services.message_mark_read(actor=ncp_ke, message=alert) is True
    assert services.message_mark_read(actor=ncp_ke, message=alert) is False
    receipt = services.message_acknowledge(actor=ncp_ke, message=alert)
    assert receipt.acknowledged_at is not None and receipt.read_at is not None
    info = send(ncp_fr, users=[ncp_ke], kind="information")
    with pytest.raises(ValidationError):
        services.message_acknowledge(actor=ncp_ke, message=info)
    with pytest.raises(PermissionDenied):  # the sender is no recipient
        services.message_acknowledge(actor=ncp_fr, message=alert)
    assert AuditEntry.objects.filter(action="exchange.message_read").count() == 1
    assert AuditEntry.objects.filter(action="exchange.message_acknowledge").count() == 1
    receipts = {r.user.email: r for r in selectors.message_receipts(user=ncp_fr, message=alert)}
    assert receipts["ncp.ke@test.example"].acknowledged_at is not None
    with pytest.raises(PermissionDenied):
        selectors.message_receipts(user=ncp_ke, message=alert)


def test_correction_makes_a_new_version(ncp_fr, ncp_ke, send):
    message = send(ncp_fr, users=[ncp_ke])
    services.message_mark_read(actor=ncp_ke, message=message)
    with pytest.raises(PermissionDenied):
        services.message_correct(actor=ncp_ke, message=message, subject="x", body="y", note="n")
    with pytest.raises(ValidationError):
        services.message_correct(actor=ncp_fr, message=message, subject="x", body="y", note=" ")
    corrected = services.message_correct(
        actor=ncp_fr, message=message, subject="Ammonium nitrate (corrected)", body="At Marseille.", note="Wrong port"
    )
    assert corrected.version == 2 and corrected.body == "At Marseille."
    versions = list(MessageVersion.objects.filter(message=message).values_list("number", "change", "body", "note"))
    assert versions == [(1, "original", "Seen at **Le Havre**.", ""), (2, "correction", "At Marseille.", "Wrong port")]
    assert MessageRecipient.objects.get(message=message, user=ncp_ke).read_at is None  # unread again
    entry = AuditEntry.objects.get(action="exchange.message_correct")
    assert entry.changes["body"] == ["Seen at **Le Havre**.", "At Marseille."]


def test_withdrawal_hides_the_body_from_recipients(ncp_fr, ncp_ke, send):
    message = send(ncp_fr, users=[ncp_ke])
    withdrawn = services.message_withdraw(actor=ncp_fr, message=message, note="Sent in error")
    assert withdrawn.status == "withdrawn" and withdrawn.version == 2
    seen_by_ke = selectors.message_get(user=ncp_ke, pk=message.pk)
    assert seen_by_ke.subject == message.subject  # the entry stays
    assert selectors.message_body(user=ncp_ke, message=seen_by_ke) is None
    assert selectors.message_body(user=ncp_fr, message=withdrawn) == "Seen at **Le Havre**."
    assert [m.pk for m in selectors.inbox_list(user=ncp_ke)] == [message.pk]
    with pytest.raises(ValidationError):
        services.message_withdraw(actor=ncp_fr, message=withdrawn, note="again")
    with pytest.raises(ValidationError):
        services.message_reply(actor=ncp_ke, parent=withdrawn, data={"body": "x"})
    entry = AuditEntry.objects.get(action="exchange.message_withdraw")
    assert entry.changes["status"] == ["sent", "withdrawn"] and entry.extra["note"] == "Sent in error"


def test_fan_out_to_300_recipients_is_one_bulk_insert(ncp_fr, django_assert_max_num_queries):
    community = CommunityFactory(name="Global", slug="global", kind="global")
    MembershipFactory(community=community, user=ncp_fr)
    users = UserFactory.create_batch(300, roles=["ncp"], country="KE", mfa=False)
    MembershipFactory.create_batch(300, community=community, user=factory_iter(users))
    dist = Distribution(communities=[community.pk])
    with django_assert_max_num_queries(30):
        message = services.message_send(
            actor=ncp_fr, data={"kind": "alert", "subject": "Global", "body": "b", "tlp": "green"}, distribution=dist
        )
    assert MessageRecipient.objects.filter(message=message).count() == 300


def factory_iter(items):
    import factory

    return factory.Iterator(items)
