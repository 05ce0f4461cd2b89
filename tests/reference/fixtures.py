"""The reference tables, loaded once per test module from the real files in settings.REFERENCE_DIR.

Other apps' tests that need countries, HS codes or the catalogue can import the fixture:
`from tests.reference.fixtures import reference_tables  # noqa: F401`, then request it
(tests still run in their own transaction, so what a test writes is rolled back).
"""

from __future__ import annotations

import pytest


def _wipe() -> None:
    from shieldhub.reference.models import CatalogueItem, Country, Currency, HsCode, HsSection, WcoRegion

    for model in (CatalogueItem, HsCode, HsSection, Country, WcoRegion, Currency):
        model.objects.all()._raw_delete(model.objects.db)  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def reference_tables(django_db_setup, django_db_blocker):
    """Loads the tables without an audit entry (the audit log stays empty for other tests)."""
    from shieldhub.reference.loader import sync_reference

    with django_db_blocker.unblock():
        _wipe()
        counts = sync_reference()
    yield counts
    with django_db_blocker.unblock():
        _wipe()


@pytest.fixture
def ref(reference_tables, db):
    """Function-level access to the loaded tables, inside the test's transaction."""
    return reference_tables
