"""The default deadline of a request for information: RFI_DEFAULT_WORKING_DAYS working days."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.urls import reverse
from django.utils import timezone

from shieldhub.exchange.deadlines import add_working_days, default_deadline


def _setting_in_a_fresh_interpreter(value: str | None) -> str:
    """The setting as `config.settings` reads it from the environment (read once per process)."""
    env = {k: v for k, v in os.environ.items() if k != "RFI_DEFAULT_WORKING_DAYS"}
    env["SHIELDHUB_ENV"] = "test"
    if value is not None:
        env["RFI_DEFAULT_WORKING_DAYS"] = value
    code = "from config import settings; print(settings.RFI_DEFAULT_WORKING_DAYS)"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)  # noqa: S603
    return out.stdout.strip()


def test_setting_is_read_from_the_environment_with_ten_by_default():
    assert _setting_in_a_fresh_interpreter(None) == "10"
    assert _setting_in_a_fresh_interpreter("4") == "4"


@pytest.mark.django_db
def test_overridden_setting_changes_the_default_deadline(settings, send, ncp_fr, ncp_ke, login):
    today = timezone.localdate()
    settings.RFI_DEFAULT_WORKING_DAYS = 10
    assert send(ncp_fr, users=[ncp_ke], kind="rfi").deadline == add_working_days(today, 10)
    settings.RFI_DEFAULT_WORKING_DAYS = 3
    assert default_deadline(today) == add_working_days(today, 3)
    message = send(ncp_fr, users=[ncp_ke], kind="rfi")
    assert message.deadline == add_working_days(today, 3) != add_working_days(today, 10)
    # the compose page tells the sender the default
    page = login(ncp_fr).get(reverse("exchange:compose")).content.decode()
    assert "by default 3 working days after sending" in page
