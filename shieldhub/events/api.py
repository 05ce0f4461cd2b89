"""`/api/v1/events`: events, agendas, calendar files, invitations, nominations, registrations,
attendance, certificates, evaluations, training records and operations — the same selectors and
services as the pages. Writes need the `write` scope. Passport details never leave the secretariat."""

import datetime as dt

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from shieldhub.events import api_invitations, api_operations, api_registrations, selectors

router = Router(tags=["events"])
router.add_router("", api_invitations.router)
router.add_router("", api_registrations.router)
router.add_router("", api_operations.router)


class EventOut(Schema):
    id: int
    kind: str
    status: str
    title_en: str
    title_fr: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    time_zone: str
    venue_name: str
    online_url: str


class EventFilters(Schema):
    kind: str = ""
    status: str = ""
    q: str = ""
    upcoming: bool = False


@router.get("/", response=list[EventOut])
@paginate(PageNumberPagination, page_size=50)
def list_events(request: HttpRequest, filters: Query[EventFilters]):  # type: ignore[no-untyped-def]
    return selectors.event_list(user=request.user, filters=filters.dict())


@router.get("/{event_id}", response=EventOut)
def get_event(request: HttpRequest, event_id: int):  # type: ignore[no-untyped-def]
    return selectors.event_get(user=request.user, pk=event_id)
