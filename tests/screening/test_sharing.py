"""A run shared with the secretariat: the uploader or an NCP of the run's country shares it (audited)
and can withdraw it. Before sharing the analyst gets a 404 (page, results, XLSX, API); once shared the
holders of `screening.configure` (coordinator, analyst) see it with its hits and XLSX; after withdrawal
a 404 again. Another country's NCPs never see it, and cannot share it."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from openpyxl import load_workbook

from shieldhub.core.models import AuditEntry
from shieldhub.screening import selectors, services
from tests.conftest import _persona
from tests.screening.test_runs import _run

pytestmark = pytest.mark.django_db


@pytest.fixture
def ncp_fr_colleague(db, ncp_fr):
    return _persona("ncp2.fr@test.example", ["ncp"], full_name="Luc Bernard", country="FR")


def _urls(run):
    return [f"/screening/runs/{run.pk}/", f"/screening/runs/{run.pk}/export/", f"/api/v1/screening/runs/{run.pk}",
            f"/api/v1/screening/runs/{run.pk}/results", f"/api/v1/screening/runs/{run.pk}/results.xlsx"]  # fmt: skip


def _statuses(client, run):
    return {client.get(url).status_code for url in _urls(run)}


def test_share_and_withdraw(watch, ncp_fr, ncp_fr_colleague, ncp_ke, analyst, coordinator, trainer, login):
    run = _run(ncp_fr)
    flagged = run.flagged_count
    assert flagged > 0
    # before sharing: the secretariat and Kenya get a 404 everywhere
    assert _statuses(login(analyst), run) == {404} and _statuses(login(ncp_ke), run) == {404}
    assert run not in selectors.run_list(user=analyst) and run not in selectors.run_list(user=coordinator)
    page = login(ncp_fr).get(f"/screening/runs/{run.pk}/").content.decode()
    assert "Not shared" in page and "Share with the secretariat" in page
    # a colleague NCP of France shares it (through the page)
    response = login(ncp_fr_colleague).post(f"/screening/runs/{run.pk}/share/", {"shared": "1"})
    assert response.status_code == 302
    run.refresh_from_db()
    assert run.shared_at is not None and run.shared_by == ncp_fr_colleague
    entry = AuditEntry.objects.get(action="screening.run_share", object_id=str(run.pk))
    assert entry.actor == ncp_fr_colleague and entry.extra["country"] == "FR"
    # the analyst and the coordinator now see it, its hits and its XLSX; Kenya and the trainer still do not
    assert _statuses(login(analyst), run) == {200}
    assert run in selectors.run_list(user=coordinator)
    page = login(analyst).get(f"/screening/runs/{run.pk}/").content.decode()
    assert "Shared with the secretariat" in page and "Luc Bernard" in page and "FR-1" in page
    assert "Stop sharing" not in page  # the secretariat does not decide
    assert "shared with the secretariat" in login(analyst).get("/screening/").content.decode()
    results = login(analyst).get(f"/api/v1/screening/runs/{run.pk}/results").json()
    assert results["count"] == flagged
    book = load_workbook(io.BytesIO(login(analyst).get(f"/screening/runs/{run.pk}/export/").content))
    assert book.active.max_row - 1 >= flagged  # a header row and one per flagged declaration
    assert _statuses(login(ncp_ke), run) == {404}
    with pytest.raises(Http404):
        selectors.run_get(user=ncp_ke, pk=run.pk)
    with pytest.raises(PermissionDenied):
        selectors.run_get(user=trainer, pk=run.pk)  # no screening at all
    # the secretariat and other countries cannot share or withdraw
    for other in (analyst, coordinator, ncp_ke):
        with pytest.raises(PermissionDenied):
            services.run_share(actor=other, run=run, shared=False)
    assert login(analyst).post(f"/screening/runs/{run.pk}/share/", {"shared": "0"}).status_code == 403
    assert login(ncp_ke).post(f"/screening/runs/{run.pk}/share/", {"shared": "0"}).status_code == 404
    with pytest.raises(ValidationError, match="already shared"):
        services.run_share(actor=ncp_fr, run=run)
    # the uploader withdraws it: a 404 again for the secretariat
    response = login(ncp_fr).post(f"/screening/runs/{run.pk}/share/", {"shared": "0"})
    assert response.status_code == 302 and response["Location"] == f"/screening/runs/{run.pk}/"
    run.refresh_from_db()
    assert run.shared_at is None and run.shared_by is None
    assert AuditEntry.objects.filter(action="screening.run_unshare", actor=ncp_fr).exists()
    assert _statuses(login(analyst), run) == {404}
    assert run not in selectors.run_list(user=coordinator)


def test_a_run_of_the_secretariat_stays_its_own(watch, analyst, coordinator, login):
    run = _run(analyst)
    assert run.country == ""
    assert _statuses(login(analyst), run) == {200}
    assert _statuses(login(coordinator), run) == {404}
    services.run_share(actor=analyst, run=run)
    assert _statuses(login(coordinator), run) == {200}


def test_api(watch, ncp_fr, ncp_ke, analyst, login):
    run = _run(ncp_fr)
    assert login(analyst).get(f"/api/v1/screening/runs/{run.pk}").status_code == 404
    assert login(ncp_ke).post(f"/api/v1/screening/runs/{run.pk}/share").status_code == 404
    shared = login(ncp_fr).post(f"/api/v1/screening/runs/{run.pk}/share")
    assert shared.status_code == 200 and shared.json()["shared_at"] and shared.json()["country"] == "FR"
    assert login(ncp_fr).post(f"/api/v1/screening/runs/{run.pk}/share").status_code == 422
    got = login(analyst).get(f"/api/v1/screening/runs/{run.pk}").json()
    assert got["id"] == run.pk and got["shared_at"]
    assert run.pk in [r["id"] for r in login(analyst).get("/api/v1/screening/runs").json()["items"]]
    assert login(analyst).delete(f"/api/v1/screening/runs/{run.pk}/share").status_code == 403
    withdrawn = login(ncp_fr).delete(f"/api/v1/screening/runs/{run.pk}/share")
    assert withdrawn.status_code == 200 and withdrawn.json()["shared_at"] is None
    assert login(analyst).get(f"/api/v1/screening/runs/{run.pk}").status_code == 404
