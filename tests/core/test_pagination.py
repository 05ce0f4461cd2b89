from __future__ import annotations

import pytest
from django.test import RequestFactory

from shieldhub.core.pagination import paginate
from shieldhub.directory.models import Person
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def test_bounded_count_stops_at_the_cap(django_assert_max_num_queries):
    PersonFactory.create_batch(7)
    request = RequestFactory().get("/", {"page": 2, "per_page": 2})
    page = paginate(request, Person.objects.order_by("pk"), count_cap=5)
    assert page.paginator.count == 5 and page.paginator.capped
    assert page.paginator.num_pages == 3 and len(page.object_list) == 2
    exact = paginate(request, Person.objects.order_by("pk"))
    assert exact.paginator.count == 7 and not getattr(exact.paginator, "capped", False)


def test_people_list_says_more_than_when_capped(login, coordinator, monkeypatch):
    PersonFactory.create_batch(4)
    monkeypatch.setattr("shieldhub.directory.views.COUNT_CAP", 3)
    html = login(coordinator).get("/directory/people/", {"per_page": 2}).content.decode()
    assert "More than 3 people" in html
    assert "Page 1 of more than 2" in html
