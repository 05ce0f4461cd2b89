"""The open-source demo: two feeds in an error state (local addresses, nothing fetched from
outside), fifteen bilingual items grouped into stories, some triaged, one seizure record draft."""

from __future__ import annotations

import pytest

from shieldhub.analysis import demo_osint, osint
from shieldhub.analysis.models import OsintItem, OsintSource
from tests.analysis.test_osint_support import catalogue, ref, reference_tables  # noqa: F401

pytestmark = pytest.mark.django_db


def test_demo(analyst, catalogue):  # noqa: F811
    demo_osint.load({"analyst@demo.example": analyst})
    sources = list(OsintSource.objects.order_by("pk"))
    assert len(sources) == 2
    assert all(s.last_error.startswith("The server could not be reached") for s in sources)
    assert OsintItem.objects.count() == 15
    assert set(OsintItem.objects.values_list("language", flat=True)) == {"en", "fr"}
    stories = list(osint.item_list(user=analyst))
    assert len(stories) == 12  # three Mombasa reports, two Niger reports
    by_title = {s.title: s for s in stories}
    mombasa = by_title["Kenya Revenue Authority seizes 12 tonnes of ammonium nitrate at Mombasa port"]
    assert mombasa.n_similar == 2 and mombasa.status == "relevant" and mombasa.seizure_id is not None
    assert mombasa.seizure.source == "open_source" and mombasa.seizure.created_by == analyst
    assert OsintItem.objects.filter(status="not_relevant").count() == 2
    chad = OsintItem.objects.get(title__startswith="Tchad")
    assert chad.countries == ["TD", "NE"]
