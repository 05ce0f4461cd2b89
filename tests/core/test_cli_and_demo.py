from __future__ import annotations

import os

import pytest
from django.core.management import call_command

from shieldhub.cli import _pop_data_dir
from shieldhub.core.audit import audit_verify


def test_data_dir_is_taken_from_anywhere_on_the_line():
    assert _pop_data_dir(["demo", "--data-dir", "x", "--port", "9"]) == (["demo", "--port", "9"], "x")
    assert _pop_data_dir(["--data-dir=/srv/y", "audit", "verify"]) == (["audit", "verify"], "/srv/y")
    assert _pop_data_dir(["migrate"]) == (["migrate"], None)


def test_cli_maps_dashed_commands_and_honours_the_data_dir(monkeypatch, capsys, tmp_path):
    from shieldhub import cli

    seen = {}

    def fake_execute(argv):
        seen["argv"] = argv
        seen["data_dir"] = os.environ["SHIELDHUB_DATA_DIR"]

    monkeypatch.setattr("django.core.management.execute_from_command_line", fake_execute)
    monkeypatch.setenv("SHIELDHUB_DATA_DIR", "elsewhere")
    cli.main(["load-reference", "--data-dir", str(tmp_path)])
    assert seen["argv"] == ["shieldhub", "load_reference"]
    assert seen["data_dir"] == str(tmp_path)


@pytest.mark.django_db
def test_demo_prepares_accounts_and_data_and_keeps_them_on_a_second_run(capsys):
    from allauth.mfa.models import Authenticator

    from shieldhub.accounts.models import User
    from shieldhub.directory.models import Community, NcpNomination, Organisation, Person
    from shieldhub.reference.models import Country

    call_command("demo", no_serve=True)
    out = capsys.readouterr().out
    expected = [
        "coordinator@demo.example",
        "analyst@demo.example",
        "trainer@demo.example",
        "assistant@demo.example",
        "admin@demo.example",
        "partner.interpol@demo.example",
        "donor@demo.example",
        *[f"ncp.{c}@demo.example" for c in ("fr", "ke", "ng", "ma", "in", "br", "jo", "id")],
    ]
    for email in expected:
        assert email in out
        user = User.objects.get(email=email)
        assert user.roles, email
        assert Authenticator.objects.filter(user=user, type="totp").exists()
    assert "Shield-Demo-2026" in out
    ncp_regions = set(
        Country.objects.filter(code__in=User.objects.exclude(country="").values("country")).values_list(
            "wco_region", flat=True
        )
    )
    assert ncp_regions == {"AMS", "AP", "ESA", "EUR", "MENA", "WCA"}
    assert User.objects.get(email="ncp.ke@demo.example").country == "KE"
    assert Person.objects.count() == 300
    assert Organisation.objects.count() >= 120
    assert NcpNomination.objects.filter(status="active").count() >= 60
    assert Community.objects.filter(kind="regional").count() == 6
    assert User.objects.get(email="ncp.fr@demo.example").person.family_name == "Martin"
    assert audit_verify().ok
    # the exchange has a few messages, seen only by those they were sent to
    from shieldhub.exchange.selectors import inbox_list

    ke_region_ncp = User.objects.get(email="ncp.ke@demo.example")
    fr = User.objects.get(email="ncp.fr@demo.example")
    ng = User.objects.get(email="ncp.ng@demo.example")
    assert any("Mombasa" in m.subject for m in inbox_list(user=User.objects.get(email="coordinator@demo.example")))
    assert not any("Mombasa" in m.subject for m in inbox_list(user=fr))  # an ESA alert, FR is in Europe
    assert any(m.kind == "rfi" for m in inbox_list(user=ng))
    assert ke_region_ncp.memberships.exists()

    # the shipments dashboard has a history: notifications in each of the 18 months before this one
    from shieldhub.seizures.analytics import Filters
    from shieldhub.shipments.analytics import by_month, verification_by_country

    analyst = User.objects.get(email="analyst@demo.example")
    months = {r["month"] for r in by_month(user=analyst, filters=Filters()) if r["n"]}
    assert len(months) >= 18
    answered = sum(r["answered"] or 0 for r in verification_by_country(user=analyst, filters=Filters()))
    assert answered >= 36

    counts = (Person.objects.count(), Organisation.objects.count(), User.objects.count())
    call_command("demo", no_serve=True)
    assert "already present" in capsys.readouterr().out
    assert (Person.objects.count(), Organisation.objects.count(), User.objects.count()) == counts
