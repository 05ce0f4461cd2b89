"""Email notifications of the exchange: immediate emails, the daily digest, correction and
withdrawal notices, the preferences (page and API), and what an email may never carry."""

from __future__ import annotations

import datetime as dt
import time
from unittest import mock

import pytest
from django.conf import settings
from django.core import mail
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from shieldhub.accounts.models import RoleGrant, User
from shieldhub.core.access import messages_visible_q
from shieldhub.core.models import AuditEntry
from shieldhub.core.scheduling import REGISTRY, autodiscover
from shieldhub.directory.models import Membership
from shieldhub.exchange import notifications, selectors, services
from shieldhub.exchange.models import Attachment, Message, MessageRecipient, NotificationPreference
from shieldhub.exchange.notifications import digest_send_all, notify_message, send_digests
from tests.factories import CommunityFactory, MembershipFactory

pytestmark = pytest.mark.django_db

BODY = "Container MSKU-7654321 is hidden at berth twelve."
PREFIX = settings.ACCOUNT_EMAIL_SUBJECT_PREFIX
DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
ALL_TLPS = ["clear", "green", "amber", "amber_strict", "red"]


@pytest.fixture
def deliver(send, django_capture_on_commit_callbacks):
    """Send, then run what the commit triggers (the fan-out: immediate backend in tests)."""

    def _deliver(actor, **kwargs):
        kwargs.setdefault("body", BODY)
        with django_capture_on_commit_callbacks(execute=True):
            return send(actor, **kwargs)

    return _deliver


@pytest.fixture
def geo(db):
    """Two WCO regions and three countries (the reference tables, reduced to what is needed)."""
    from shieldhub.reference.models import Country, WcoRegion

    eur, _ = WcoRegion.objects.update_or_create(code="EUR", defaults={"name_en": "Europe", "name_fr": "Europe"})
    esa, _ = WcoRegion.objects.update_or_create(
        code="ESA", defaults={"name_en": "East and Southern Africa", "name_fr": "Afrique orientale et australe"}
    )
    for code, name, region in (("FR", "France", eur), ("DE", "Germany", eur), ("KE", "Kenya", esa)):
        Country.objects.update_or_create(
            code=code, defaults={"name_en": name, "name_fr": name, "wco_member": True, "wco_region": region}
        )
    return {"EUR": eur, "ESA": esa}


@pytest.fixture
def items(db):
    from shieldhub.reference.models import CatalogueItem

    an, _ = CatalogueItem.objects.get_or_create(
        code="ammonium-nitrate", defaults={"category": "precursor", "name_en": "Ammonium nitrate"}
    )
    urea, _ = CatalogueItem.objects.get_or_create(code="urea", defaults={"category": "precursor", "name_en": "Urea"})
    return {"an": an, "urea": urea}


def _recipients(outbox):
    return sorted(address for email in outbox for address in email.to)


def _html(email):
    assert len(email.alternatives) == 1 and email.alternatives[0][1] == "text/html"
    return email.alternatives[0][0]


def _link(message):
    return settings.SITE_URL + reverse("exchange:message-detail", args=[message.pk])


def _prefs(user, **data):
    return notifications.notification_preference_update(actor=user, data=data)


# --- immediate emails -----------------------------------------------------------------------------


def test_an_alert_is_emailed_at_once_to_its_recipients_only(deliver, mailoutbox, ncp_fr, ncp_de, ncp_ke, europe):
    message = deliver(ncp_fr, communities=[europe], subject="Ammonium nitrate diverted")
    assert _recipients(mailoutbox) == [ncp_de.email]  # not the sender, not ncp_ke (not a recipient)
    email = mailoutbox[0]
    assert email.subject == f"{PREFIX}[TLP:AMBER] Alert: Ammonium nitrate diverted"
    html = _html(email)
    for text in (email.body, html):
        assert _link(message) in text
        assert "France" in text  # the sender's country
        assert "TLP:AMBER" in text
        assert BODY not in text  # AMBER: not in an email by default
    assert email.attachments == []
    assert email.extra_headers["Content-Language"] == "en"
    receipt = MessageRecipient.objects.get(message=message, user=ncp_de)
    assert receipt.notified_at is not None and receipt.digested_at is None


def test_green_bodies_are_emailed_amber_only_when_configured(deliver, mailoutbox, ncp_fr, ncp_de, europe):
    deliver(ncp_fr, communities=[europe], tlp="green", body="**Green** detail: " + BODY)
    email = mailoutbox[0]
    assert BODY in email.body
    assert "<strong>Green</strong> detail" in _html(email)  # rendered (and sanitised) Markdown
    mailoutbox.clear()
    deliver(ncp_fr, communities=[europe], tlp="amber")
    assert BODY not in mailoutbox[0].body
    mailoutbox.clear()
    with override_settings(EXCHANGE_EMAIL_BODY_TLPS=["clear", "green", "amber"]):
        deliver(ncp_fr, communities=[europe], tlp="amber")
    assert BODY in mailoutbox[0].body and BODY in _html(mailoutbox[0])


@pytest.mark.parametrize("tlp", ["amber_strict", "red"])
def test_amber_strict_and_red_never_carry_the_body_nor_an_attachment(
    send, django_capture_on_commit_callbacks, mailoutbox, ncp_fr, ncp_de, europe, tlp
):
    # Even a careless setting cannot put these bodies in an email.
    with override_settings(EXCHANGE_EMAIL_BODY_TLPS=ALL_TLPS), django_capture_on_commit_callbacks(execute=True):
        message = send(ncp_fr, communities=[europe], tlp=tlp, body=BODY)
        Attachment.objects.create(
            message=message, uploaded_by=ncp_fr, original_name="seizure-photo.jpg", content_type="image/jpeg",
            kind="image", size=2048, sha256="0" * 64, storage_name="00/00",
        )  # fmt: skip
    (email,) = mailoutbox
    html = _html(email)
    for text in (email.body, html, email.subject):
        assert BODY not in text and "MSKU" not in text and "seizure-photo" not in text
    assert email.attachments == []
    assert "1 attachment" in email.body  # told there is one, never given it
    assert _link(message) in email.body
    assert notifications.email_body_tlps() == ["clear", "green"]  # back to the default


def test_the_email_is_in_the_recipients_language(deliver, mailoutbox, ncp_fr, ncp_de, ncp_ke, ncp_ke2):
    ncp_ke.language = "fr"
    ncp_ke.save(update_fields=["language"])
    deliver(ncp_fr, countries=["KE"])
    by_address = {email.to[0]: email for email in mailoutbox}
    french, english = by_address[ncp_ke.email], by_address[ncp_ke2.email]
    assert french.extra_headers["Content-Language"] == "fr"
    assert english.extra_headers["Content-Language"] == "en"
    assert '<html lang="fr">' in _html(french) and '<html lang="en">' in _html(english)
    # The kind's label is translated already (new sentences are translated centrally later).
    assert "Alerte" in french.subject and "Alert:" in english.subject
    assert "Alerte" in french.body and "Alerte" in _html(french)  # rendered in French, not only the subject
    assert "Alerte" not in english.body


def test_a_request_shows_its_deadline(deliver, mailoutbox, ncp_fr, ncp_ke):
    message = deliver(ncp_fr, users=[ncp_ke], kind="rfi", subject="Who imported this?")
    (email,) = mailoutbox
    assert "Request for information: Who imported this?" in email.subject
    assert "Answer by:" in email.body
    from django.utils import formats

    assert formats.date_format(message.deadline, "DATE_FORMAT") in email.body


@pytest.mark.parametrize("kind", ["information", "operational"])
def test_other_kinds_wait_for_the_digest(deliver, mailoutbox, ncp_fr, ncp_de, europe, kind):
    message = deliver(ncp_fr, communities=[europe], kind=kind)
    assert mailoutbox == []
    assert MessageRecipient.objects.get(message=message, user=ncp_de).notified_at is None


def test_a_reply_is_not_emailed_at_once(deliver, mailoutbox, django_capture_on_commit_callbacks, ncp_fr, ncp_ke):
    alert = deliver(ncp_fr, users=[ncp_ke])
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.message_reply(actor=ncp_ke, parent=alert, data={"body": "Thanks"})
    assert mailoutbox == []  # replies are information: digest


def test_notifying_twice_sends_once(deliver, mailoutbox, ncp_fr, ncp_de, europe):
    message = deliver(ncp_fr, communities=[europe])
    assert len(mailoutbox) == 1
    assert notify_message.call(message.pk) == 0
    notifications.message_delivered(message.pk)
    assert len(mailoutbox) == 1


def test_immediate_off_sends_nothing_at_once(deliver, mailoutbox, ncp_fr, ncp_de, europe):
    _prefs(ncp_de, immediate=False)
    message = deliver(ncp_fr, communities=[europe])
    assert mailoutbox == []
    assert MessageRecipient.objects.get(message=message, user=ncp_de).notified_at is None
    assert digest_send_all() == 1  # it comes in the digest instead
    assert message.subject in mailoutbox[0].body


def test_withdrawn_or_pending_messages_are_not_announced(send, mailoutbox, ncp_fr, ncp_de, europe):
    message = send(ncp_fr, communities=[europe])
    services.message_withdraw(actor=ncp_fr, message=message, note="Wrong container")
    assert notify_message.call(message.pk) == 0
    Message.objects.filter(pk=message.pk).update(status="pending")
    assert notify_message.call(message.pk) == 0
    assert notify_message.call(999999) == 0
    assert mailoutbox == []


# --- filters --------------------------------------------------------------------------------------


def test_kind_filter(deliver, mailoutbox, ncp_fr, ncp_de, europe):
    _prefs(ncp_de, kinds=["rfi"])
    deliver(ncp_fr, communities=[europe], kind="alert")
    assert mailoutbox == []
    deliver(ncp_fr, communities=[europe], kind="rfi")
    assert _recipients(mailoutbox) == [ncp_de.email]


def test_precursor_filter(deliver, mailoutbox, ncp_fr, ncp_de, europe, items):
    _prefs(ncp_de, precursors=[items["an"].pk])
    deliver(ncp_fr, communities=[europe], subject="Urea", precursors=[items["urea"].pk])
    assert mailoutbox == []
    deliver(ncp_fr, communities=[europe], subject="Both", precursors=[items["urea"].pk, items["an"].pk])
    deliver(ncp_fr, communities=[europe], subject="Untagged")  # names no precursor: passes
    assert [e.subject.rsplit(": ", 1)[1] for e in mailoutbox] == ["Both", "Untagged"]


def test_region_filter_through_the_countries_involved(deliver, mailoutbox, ncp_fr, ncp_de, europe, geo):
    _prefs(ncp_de, regions=["ESA"])
    deliver(ncp_fr, communities=[europe], subject="From France", involved=[("FR", "origin")])
    assert mailoutbox == []
    deliver(ncp_fr, communities=[europe], subject="To Kenya", involved=[("FR", "origin"), ("KE", "destination")])
    deliver(ncp_fr, communities=[europe], subject="No country")  # involves no country: passes
    assert [e.subject.rsplit(": ", 1)[1] for e in mailoutbox] == ["To Kenya", "No country"]


def test_special_alerts_pass_every_filter(deliver, mailoutbox, coordinator, ncp_de, europe, geo, items):
    _prefs(ncp_de, kinds=["rfi"], regions=["ESA"], precursors=[items["urea"].pk])
    deliver(
        coordinator, communities=[europe], kind="special_alert", involved=[("FR", "origin")],
        precursors=[items["an"].pk],
    )  # fmt: skip
    assert ncp_de.email in _recipients(mailoutbox)
    assert "Special alert" in mailoutbox[0].subject


def test_filter_rule():
    prefs = notifications.Prefs(kinds=frozenset({"alert"}), precursors=frozenset({1}), regions=frozenset({"EUR"}))
    facts = notifications.Facts
    assert notifications.passes(prefs, facts(kind="alert"))
    assert notifications.passes(prefs, facts(kind="alert", precursors=frozenset({1, 2}), regions=frozenset({"EUR"})))
    assert not notifications.passes(prefs, facts(kind="rfi"))
    assert not notifications.passes(prefs, facts(kind="alert", precursors=frozenset({2})))
    assert not notifications.passes(prefs, facts(kind="alert", regions=frozenset({"ESA"})))
    assert notifications.passes(prefs, facts(kind="special_alert", precursors=frozenset({2})))
    assert notifications.passes(notifications.Prefs(), facts(kind="rfi", regions=frozenset({"ESA"})))


# --- who may be emailed ---------------------------------------------------------------------------


def test_partners_are_emailed_only_what_is_releasable_to_them(deliver, mailoutbox, ncp_fr, europe, partner_interpol):
    MembershipFactory(community=europe, user=partner_interpol)
    closed = deliver(ncp_fr, communities=[europe], subject="Not releasable")
    assert partner_interpol.email not in _recipients(mailoutbox)
    mailoutbox.clear()
    deliver(ncp_fr, communities=[europe], subject="For INTERPOL", releasable_interpol=True)
    assert partner_interpol.email in _recipients(mailoutbox)
    mailoutbox.clear()
    # Even a recipient row that should not exist does not reach a partner the message is not released to.
    MessageRecipient.objects.create(message=closed, user=partner_interpol, reason="user")
    assert notify_message.call(closed.pk) == 0
    assert mailoutbox == []


def test_nobody_who_may_not_see_the_message_is_emailed(deliver, mailoutbox, ncp_fr, ncp_de, ncp_ke, europe):
    message = deliver(ncp_fr, communities=[europe], kind="information")
    ncp_de.is_active = False
    ncp_de.save(update_fields=["is_active"])
    RoleGrant.objects.filter(user=ncp_ke).delete()  # no role any more
    MessageRecipient.objects.create(message=message, user=ncp_ke, reason="user")
    Message.objects.filter(pk=message.pk).update(kind="alert")
    assert notify_message.call(message.pk) == 0
    assert digest_send_all() == 0
    assert mailoutbox == []


def test_the_recipients_rule_is_the_access_policy(
    send, ncp_fr, ncp_de, ncp_ke, europe, partner_interpol, coordinator, donor
):
    MembershipFactory(community=europe, user=partner_interpol)
    messages = [
        send(ncp_fr, communities=[europe], releasable_interpol=True),
        send(ncp_fr, communities=[europe]),
        send(ncp_fr, users=[ncp_ke, coordinator]),
    ]
    # Add rows the services would never record, to see the rule refuse them.
    MessageRecipient.objects.create(message=messages[1], user=partner_interpol, reason="user")
    MessageRecipient.objects.create(message=messages[1], user=donor, reason="user")
    eligible = set(MessageRecipient.objects.filter(notifications._may_see_q()).values_list("pk", flat=True))
    for receipt in MessageRecipient.objects.select_related("user"):
        visible = Message.objects.filter(messages_visible_q(receipt.user), pk=receipt.message_id).exists()
        assert (receipt.pk in eligible) == visible, receipt


# --- the background fan-out -----------------------------------------------------------------------


def test_delivery_only_enqueues_with_the_database_backend(deliver, mailoutbox, ncp_fr, ncp_de, europe):
    from django_tasks_db.models import DBTaskResult

    with override_settings(TASKS=DB_TASKS):
        message = deliver(ncp_fr, communities=[europe])
    assert mailoutbox == []  # nothing sent in the request
    task = DBTaskResult.objects.get(task_path="shieldhub.exchange.notifications.notify_message")
    assert task.args_kwargs["args"] == [message.pk]
    assert MessageRecipient.objects.get(message=message, user=ncp_de).notified_at is None
    # What the worker then runs:
    assert notify_message.call(message.pk) == 1
    assert _recipients(mailoutbox) == [ncp_de.email]


def test_message_delivered_is_one_insert(ncp_fr, ncp_de, europe, send, django_assert_max_num_queries):
    message = send(ncp_fr, communities=[europe])
    with override_settings(TASKS=DB_TASKS), django_assert_max_num_queries(2):
        notifications.message_delivered(message.pk)
    assert mail.outbox == []


@pytest.fixture
def global_community(db):
    """A community of 300 active NCPs (bulk-created: the factory would be slow)."""
    community = CommunityFactory(name="Global", slug="global", kind="global")
    emails = [f"global{i:03d}@test.example" for i in range(300)]
    User.objects.bulk_create([User(email=email, full_name=email, country="KE") for email in emails])
    users = list(User.objects.filter(email__in=emails))
    RoleGrant.objects.bulk_create([RoleGrant(user=u, role="ncp") for u in users])
    Membership.objects.bulk_create([Membership(community=community, user=u) for u in users])
    return community


def test_an_alert_to_300_returns_at_once_and_fans_out_in_batch(
    deliver, mailoutbox, coordinator, global_community, django_assert_max_num_queries
):
    with override_settings(TASKS=DB_TASKS):
        deliver(coordinator, communities=[global_community], subject="Warm-up")  # first imports, first queries
        started = time.perf_counter()
        message = deliver(coordinator, communities=[global_community], subject="Global alert")
        elapsed = time.perf_counter() - started
    assert mailoutbox == [] and message.recipients.count() == 300
    print(f"alert to 300 recipients sent in {elapsed:.3f} s")
    assert elapsed < 1.0, f"sending took {elapsed:.2f} s"
    real = notifications.get_connection
    with (
        mock.patch.object(notifications, "get_connection", side_effect=real) as connections,
        django_assert_max_num_queries(12),
    ):
        assert notify_message.call(message.pk) == 300
    assert connections.call_count == 1  # one connection, one batch
    assert len(mailoutbox) == 300 and len({e.to[0] for e in mailoutbox}) == 300
    assert MessageRecipient.objects.filter(message=message, notified_at__isnull=True).count() == 0


# --- corrections and withdrawals ------------------------------------------------------------------


def test_a_correction_is_notified_to_those_already_emailed(
    deliver, mailoutbox, django_capture_on_commit_callbacks, ncp_fr, ncp_de, ncp_ke, europe
):
    alert = deliver(ncp_fr, communities=[europe], subject="Alert one")
    info = deliver(ncp_fr, users=[ncp_ke], kind="information", subject="Info one")
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):  # the services hand the notice over on commit
        services.message_correct(
            actor=ncp_fr, message=alert, subject="Alert one (corrected)", body="New " + BODY, note="x"
        )
        # ncp_ke was never emailed about this one: no notice
        services.message_correct(actor=ncp_fr, message=info, subject="Info one (corrected)", body="New text", note="x")
    (email,) = mailoutbox
    assert email.to == [ncp_de.email]
    assert email.subject == f"{PREFIX}[TLP:AMBER] Corrected: Alert one (corrected)"
    assert _link(alert) in email.body and "version 2" in email.body
    for text in (email.body, _html(email)):
        assert BODY not in text and "MSKU" not in text
    assert email.attachments == []


def test_a_withdrawal_is_notified_without_the_body(
    deliver, mailoutbox, django_capture_on_commit_callbacks, ncp_fr, ncp_de, europe
):
    with override_settings(EXCHANGE_EMAIL_BODY_TLPS=["green"]):
        alert = deliver(ncp_fr, communities=[europe], tlp="green", subject="Green alert")
    assert BODY in mailoutbox[0].body
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):  # the service hands the notice over on commit
        services.message_withdraw(actor=ncp_fr, message=alert, note="Mistaken")
    (email,) = mailoutbox
    assert email.subject == f"{PREFIX}[TLP:GREEN] Withdrawn: Green alert"
    assert BODY not in email.body and BODY not in _html(email)
    assert "withdrew" in email.body and _link(alert) in email.body


def test_unknown_change_is_refused():
    with pytest.raises(ValueError):
        notifications.message_changed(1, "deleted")


# --- the daily digest -----------------------------------------------------------------------------


def test_the_digest_lists_what_was_not_emailed_and_is_unread(deliver, send, mailoutbox, ncp_fr, ncp_de, ncp_ke, europe):
    deliver(ncp_fr, communities=[europe], kind="alert", subject="Alert already emailed")
    info = deliver(ncp_fr, communities=[europe], kind="information", subject="Weekly trends")
    secret = deliver(ncp_fr, communities=[europe], kind="information", subject="Strict one", tlp="amber_strict")
    red = deliver(ncp_fr, communities=[europe], kind="operational", subject="Red one", tlp="red")
    read = deliver(ncp_fr, communities=[europe], kind="information", subject="Already read")
    services.message_mark_read(actor=ncp_de, message=read)
    gone = deliver(ncp_fr, communities=[europe], kind="information", subject="Withdrawn one", tlp="clear")
    services.message_withdraw(actor=ncp_fr, message=gone, note="Wrong")
    deliver(ncp_fr, users=[ncp_ke], kind="information", subject="For Kenya")
    mailoutbox.clear()

    assert digest_send_all() == 2
    by_address = {email.to[0]: email for email in mailoutbox}
    assert set(by_address) == {ncp_de.email, ncp_ke.email}
    email = by_address[ncp_de.email]
    assert email.subject == f"{PREFIX}Daily digest: 3 new messages"
    html = _html(email)
    for text in (email.body, html):
        for message in (info, secret, red):
            assert message.subject in text and _link(message) in text
        for absent in ("Alert already emailed", "Already read", "Withdrawn one", "For Kenya", BODY, "MSKU"):
            assert absent not in text
        assert "TLP:AMBER+STRICT" in text and "TLP:RED" in text and "France" in text
    assert email.attachments == []
    assert set(MessageRecipient.objects.filter(user=ncp_de, digested_at__isnull=False).values_list("message_id", flat=True)) == {
        info.pk, secret.pk, red.pk
    }  # fmt: skip
    assert "For Kenya" in by_address[ncp_ke.email].body


def test_the_digest_is_sent_once_a_day(deliver, mailoutbox, ncp_fr, ncp_de, europe):
    deliver(ncp_fr, communities=[europe], kind="information", subject="First")
    assert send_digests.call() == 1
    assert send_digests.call() == 0  # the scheduler ran it twice: nothing twice
    deliver(ncp_fr, communities=[europe], kind="information", subject="Second")
    assert digest_send_all() == 0  # at most one digest a day
    assert len(mailoutbox) == 1
    assert digest_send_all(now=timezone.now() + dt.timedelta(days=1)) == 1
    last = mailoutbox[-1]
    assert "Second" in last.body and "First" not in last.body and last.subject.endswith("1 new message")


def test_the_digest_follows_the_preferences(deliver, mailoutbox, ncp_fr, ncp_de, ncp_ke, europe, geo):
    _prefs(ncp_de, digest=False)
    _prefs(ncp_ke, kinds=["operational"])
    deliver(ncp_fr, communities=[europe], kind="information")
    deliver(ncp_fr, users=[ncp_ke], kind="information", subject="Info for Kenya")
    deliver(ncp_fr, users=[ncp_ke], kind="operational", subject="Ops for Kenya")
    assert digest_send_all() == 1
    (email,) = mailoutbox
    assert email.to == [ncp_ke.email] and "Ops for Kenya" in email.body and "Info for Kenya" not in email.body


def test_old_messages_are_not_listed(deliver, mailoutbox, ncp_fr, ncp_de, europe):
    message = deliver(ncp_fr, communities=[europe], kind="information")
    Message.objects.filter(pk=message.pk).update(sent_at=timezone.now() - dt.timedelta(days=8))
    assert digest_send_all() == 0


def test_the_digest_is_in_the_users_language(deliver, mailoutbox, ncp_fr, ncp_de, europe):
    ncp_de.language = "fr"
    ncp_de.save(update_fields=["language"])
    deliver(ncp_fr, communities=[europe], kind="information")
    digest_send_all()
    assert mailoutbox[0].extra_headers["Content-Language"] == "fr"
    assert "Information" in mailoutbox[0].body and '<html lang="fr">' in _html(mailoutbox[0])


def test_the_periodic_tasks_are_registered():
    autodiscover()
    assert REGISTRY["exchange.send_digests"].every == dt.timedelta(days=1)
    assert {"exchange.rfi_send_reminders", "exchange.rfi_mark_overdue"} <= set(REGISTRY)


# --- preferences: service, page, API --------------------------------------------------------------


def test_preference_update_is_validated_and_audited(ncp_fr, items, geo):
    preference = _prefs(ncp_fr, immediate=False, kinds=["rfi", "alert", "rfi"], regions=["ESA", "EUR"])
    assert preference.kinds == ["alert", "rfi"] and preference.regions == ["ESA", "EUR"]  # canonical order
    entry = AuditEntry.objects.filter(action="exchange.notification_preference_update").latest("seq")
    assert entry.actor == ncp_fr and entry.changes["immediate"] == [None, False]
    _prefs(ncp_fr, precursors=[items["an"].pk])
    entry = AuditEntry.objects.filter(action="exchange.notification_preference_update").latest("seq")
    assert entry.changes == {"precursors": [[], [items["an"].pk]]}
    from django.core.exceptions import ValidationError

    for data, field in (
        ({"kinds": ["memo"]}, "kinds"),
        ({"regions": ["XX"]}, "regions"),
        ({"precursors": [0]}, "precursors"),
    ):
        with pytest.raises(ValidationError) as exc:
            _prefs(ncp_fr, **data)
        assert field in exc.value.message_dict
    with pytest.raises(ValueError):
        _prefs(ncp_fr, language="fr")
    assert NotificationPreference.objects.filter(user=ncp_fr).count() == 1


@pytest.mark.parametrize("persona", ["donor", "outsider"], indirect=True)
def test_only_exchange_users_have_preferences(persona):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        notifications.notification_preference_get(user=persona)
    with pytest.raises(PermissionDenied):
        _prefs(persona, immediate=False)


def test_preferences_page(login, ncp_fr, geo, items):
    client = login(ncp_fr)
    url = reverse("exchange:notification-preferences")
    page = client.get(url).content.decode()
    assert 'name="immediate"' in page and "checked" in page and 'value="special_alert"' in page
    assert "Ammonium nitrate" in page and "East and Southern Africa" in page
    response = client.post(
        url, {"digest": "on", "kinds": ["alert", "rfi"], "regions": ["ESA"], "precursors": [items["an"].pk]}
    )
    assert response.status_code == 302 and response["Location"] == url
    preference = NotificationPreference.objects.get(user=ncp_fr)
    assert (preference.immediate, preference.digest, preference.kinds, preference.regions) == (
        False, True, ["alert", "rfi"], ["ESA"],
    )  # fmt: skip
    assert list(preference.precursors.all()) == [items["an"]]
    assert AuditEntry.objects.filter(action="exchange.notification_preference_update", actor=ncp_fr).exists()
    # Everything unticked is a valid choice too.
    assert client.post(url, {}).status_code == 302
    preference.refresh_from_db()
    assert (preference.immediate, preference.digest, preference.kinds, preference.regions) == (False, False, [], [])
    assert client.post(url, {"regions": ["XX"]}).status_code == 200  # not a choice: the form says so


def test_preferences_page_in_french(login, ncp_fr, geo):
    ncp_fr.language = "fr"
    ncp_fr.save(update_fields=["language"])
    page = login(ncp_fr).get(reverse("exchange:notification-preferences")).content.decode()
    assert "Afrique orientale et australe" in page


@pytest.mark.parametrize("persona", ["donor", "outsider"], indirect=True)
def test_preferences_page_refuses_who_has_no_exchange(login, persona):
    assert login(persona).get(reverse("exchange:notification-preferences")).status_code == 403
    assert login(persona).post(reverse("exchange:notification-preferences"), {}).status_code == 403
    assert not NotificationPreference.objects.exists()


def test_preferences_page_needs_a_login(client):
    response = client.get(reverse("exchange:notification-preferences"))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_profile_links_to_the_preferences(login, ncp_fr, donor):
    url = reverse("exchange:notification-preferences")
    assert url in login(ncp_fr).get(reverse("accounts:profile")).content.decode()
    assert url not in login(donor).get(reverse("accounts:profile")).content.decode()


def test_preferences_api(login, ncp_fr, items, geo):
    client = login(ncp_fr)
    data = client.get("/api/v1/exchange/notification-preferences").json()
    assert data == {
        "immediate": True, "digest": True, "kinds": [], "precursors": [], "precursor_codes": [], "regions": [],
        "email_body_tlps": ["clear", "green"],
    }  # fmt: skip
    payload = {
        "immediate": True,
        "digest": False,
        "kinds": ["alert"],
        "precursors": [items["an"].pk],
        "regions": ["EUR"],
    }
    response = client.put("/api/v1/exchange/notification-preferences", payload, content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["precursor_codes"] == ["ammonium-nitrate"] and response.json()["digest"] is False
    assert client.get("/api/v1/exchange/notification-preferences").json()["kinds"] == ["alert"]
    assert AuditEntry.objects.filter(action="exchange.notification_preference_update", actor=ncp_fr).exists()
    bad = client.put("/api/v1/exchange/notification-preferences", {"kinds": ["memo"]}, content_type="application/json")
    assert bad.status_code == 422 and "kinds" in bad.json()["error"]["details"]


def test_preferences_api_access(client, login, ncp_fr, donor, outsider):
    from shieldhub.accounts.services import api_token_create

    _token, raw = api_token_create(actor=ncp_fr, user=ncp_fr, name="ro", scopes=["read"], expires_in_days=30)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    assert client.get("/api/v1/exchange/notification-preferences", **auth).status_code == 200
    put = client.put(
        "/api/v1/exchange/notification-preferences", {"digest": False}, content_type="application/json", **auth
    )
    assert put.status_code == 403
    assert not NotificationPreference.objects.exists()
    assert client.get("/api/v1/exchange/notification-preferences").status_code == 401
    assert login(donor).get("/api/v1/exchange/notification-preferences").status_code == 403
    assert (
        login(donor).put("/api/v1/exchange/notification-preferences", {}, content_type="application/json").status_code
        == 403
    )
    assert login(outsider).get("/api/v1/exchange/notification-preferences").status_code == 401


def test_inbox_is_unaffected_by_preferences(deliver, ncp_fr, ncp_de, europe):
    _prefs(ncp_de, immediate=False, digest=False, kinds=["rfi"])
    message = deliver(ncp_fr, communities=[europe])
    assert list(selectors.inbox_list(user=ncp_de)) == [message]
