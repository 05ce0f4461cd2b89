"""The compose page records every role of a country involved, the reporting one included."""

from __future__ import annotations

import pytest
from django.urls import reverse

from shieldhub.exchange.models import Message


@pytest.mark.django_db
def test_compose_page_records_a_reporting_country(login, ncp_fr, ncp_ke):
    client = login(ncp_fr)
    form_page = client.get(reverse("exchange:compose")).content.decode()
    assert 'name="reporting"' in form_page and "Reporting countries" in form_page
    response = client.post(
        reverse("exchange:compose"),
        {"kind": "alert", "subject": "Seizure at Mombasa", "body": "Details", "language": "en", "tlp": "amber",
         "to_countries": "KE", "origin": "IN", "destination": "KE", "reporting": "ke, TZ"},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    message = Message.objects.get(subject="Seizure at Mombasa")
    assert set(message.countries.values_list("country", "role")) == {
        ("IN", "origin"), ("KE", "destination"), ("KE", "reporting"), ("TZ", "reporting"),
    }  # fmt: skip


@pytest.mark.django_db
def test_compose_page_refuses_an_unknown_reporting_country_and_keeps_the_text(login, ncp_fr, ncp_ke):
    response = login(ncp_fr).post(
        reverse("exchange:compose"),
        {"kind": "alert", "subject": "Kept subject", "body": "Kept body", "language": "en", "tlp": "amber",
         "to_countries": "KE", "reporting": "KE, XX"},
    )  # fmt: skip
    assert response.status_code == 200
    content = response.content.decode()
    assert "Unknown country code: XX." in content and "Kept body" in content
    assert not Message.objects.filter(subject="Kept subject").exists()


@pytest.mark.django_db
def test_compose_link_prefills_reporting_countries(login, ncp_fr):
    page = login(ncp_fr).get(reverse("exchange:compose"), {"reporting": "KE"})
    assert page.context["form"]["reporting"].value() == "KE"
