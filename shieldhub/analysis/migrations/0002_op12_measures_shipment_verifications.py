"""OP1.2 "Share of verification requests answered on time" was computed from the exchange's requests
for information; it is now computed from the licit-shipment verifications (`verifications_on_time`).
Databases loaded before keep the old measure (loading the default framework never overwrites a
line): move the line that is still the default one — same code, same indicator text, the old
measure — and leave any line a coordinator has changed as it is."""

from __future__ import annotations

from typing import Any

from django.db import migrations

DEFAULT_TEXT = "Share of verification requests answered on time"


def forwards(apps: Any, schema_editor: Any) -> None:
    Indicator = apps.get_model("analysis", "Indicator")
    Indicator.objects.filter(code="OP1.2", indicator_en=DEFAULT_TEXT, measure="requests_on_time").update(
        measure="verifications_on_time"
    )


def backwards(apps: Any, schema_editor: Any) -> None:
    Indicator = apps.get_model("analysis", "Indicator")
    Indicator.objects.filter(code="OP1.2", indicator_en=DEFAULT_TEXT, measure="verifications_on_time").update(
        measure="requests_on_time"
    )


class Migration(migrations.Migration):
    dependencies = [("analysis", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
