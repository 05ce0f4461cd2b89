"""The 403 and 404 pages are the site's own (styled, translated), and say nothing about the record."""

from __future__ import annotations

import pytest


@pytest.mark.django_db
def test_a_refused_page_is_the_sites_own_in_the_readers_language(login, donor):
    client = login(donor)
    response = client.get("/events/")
    assert response.status_code == 403
    body = response.content.decode()
    assert "Not allowed" in body and "css/shieldhub.css" in body and "favicon.svg" in body
    donor.language = "fr"
    donor.save()
    client.cookies["django_language"] = "fr"
    response = client.get("/events/", HTTP_ACCEPT_LANGUAGE="fr")
    assert "Accès non autorisé" in response.content.decode()


@pytest.mark.django_db
def test_a_missing_or_hidden_record_gets_the_same_plain_404(login, ncp_fr):
    client = login(ncp_fr)
    response = client.get("/seizures/987654321/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "Not found" in body and "css/shieldhub.css" in body
