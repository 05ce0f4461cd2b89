"""`/api/v1/events`: events, agendas, calendar files, invitations, nominations, registrations,
attendance, certificates, evaluations, training records and operations — the same selectors and
services as the pages. Writes need the `write` scope. Passport details never leave the secretariat.

Times: the API returns UTC (ISO 8601 with offset) and the event's `time_zone`. It accepts times with
an offset, or without one, meaning the wall-clock time in the event's zone.
"""

import datetime as dt
import zoneinfo
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from shieldhub.core.api import require_scope
from shieldhub.events import api_invitations, api_operations, api_registrations, selectors, services
from shieldhub.events import calendar as cal
from shieldhub.events.models import Event, Session

router = Router(tags=["events"])
router.add_router("", api_invitations.router)
router.add_router("", api_registrations.router)
router.add_router("", api_operations.router)


class PersonRef(Schema):
    id: int
    name: str

    @staticmethod
    def resolve_name(obj: Any) -> str:
        return str(obj)


class SessionOut(Schema):
    id: int
    title_en: str
    title_fr: str
    description_en: str
    description_fr: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    room: str
    speakers: list[PersonRef]
    moderators: list[PersonRef]

    @staticmethod
    def resolve_speakers(obj: Session) -> list[Any]:
        return list(obj.speakers.all())

    @staticmethod
    def resolve_moderators(obj: Session) -> list[Any]:
        return list(obj.moderators.all())


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
    venue_country: str
    online_url: str

    @staticmethod
    def resolve_venue_country(obj: Event) -> str:
        return str(obj.venue_country or "")


class EventDetailOut(EventOut):
    description_en: str
    description_fr: str
    venue_address: str
    rooms: list[str]
    languages: list[str]
    interpretation: bool
    capacity: int | None
    reply_by: dt.date | None
    funding_terms_en: str
    funding_terms_fr: str
    training_topic: str
    organisers: list[PersonRef]
    sessions: list[SessionOut]

    @staticmethod
    def resolve_organisers(obj: Event) -> list[Any]:
        return list(obj.organisers.all())

    @staticmethod
    def resolve_sessions(obj: Event) -> list[Any]:
        return list(obj.sessions.all())


class EventFilters(Schema):
    kind: str = ""
    status: str = ""
    q: str = ""
    upcoming: bool = False


class EventIn(Schema):
    kind: str = Field(description="conference, training, webinar, workshop, meeting, pre_operational, post_operational")
    title_en: str
    title_fr: str = ""
    description_en: str = ""
    description_fr: str = ""
    time_zone: str = Field("Europe/Brussels", description="IANA zone name, e.g. Africa/Nairobi.")
    starts_at: dt.datetime = Field(description="With an offset, or the wall-clock time in `time_zone`.")
    ends_at: dt.datetime
    venue_name: str = ""
    venue_address: str = ""
    venue_country: str = Field("", description="ISO code.")
    rooms: list[str] = Field(default_factory=list)
    online_url: str = ""
    languages: list[str] = Field(default_factory=lambda: ["en", "fr"])
    interpretation: bool = False
    capacity: int | None = None
    reply_by: dt.date | None = None
    funding_terms_en: str = ""
    funding_terms_fr: str = ""
    training_topic: str = ""
    organisers: list[int] | None = Field(None, description="Account ids (default: yourself on creation).")

    def data(self) -> dict[str, Any]:
        data = self.dict(exclude_none=True)
        data["starts_at"] = _aware(self.starts_at, self.time_zone)
        data["ends_at"] = _aware(self.ends_at, self.time_zone)
        data["venue_country"] = self.venue_country.upper()
        return data


class StatusIn(Schema):
    status: str = Field(description="draft, announced, nominations_open, closed, held or cancelled")
    reason: str = Field("", description="Required to cancel.")


class SessionIn(Schema):
    title_en: str
    title_fr: str = ""
    description_en: str = ""
    description_fr: str = ""
    starts_at: dt.datetime = Field(description="With an offset, or the wall-clock time in the event's zone.")
    ends_at: dt.datetime
    room: str = Field("", description="One of the event's rooms.")
    speakers: list[int] = Field(default_factory=list, description="Directory person ids.")
    moderators: list[int] = Field(default_factory=list, description="Directory person ids.")

    def data(self, event: Event) -> dict[str, Any]:
        data = self.dict()
        data["starts_at"] = _aware(self.starts_at, event.time_zone)
        data["ends_at"] = _aware(self.ends_at, event.time_zone)
        return data


def _aware(value: dt.datetime, zone: str) -> dt.datetime:
    if timezone.is_aware(value):
        return value
    try:
        return value.replace(tzinfo=zoneinfo.ZoneInfo(zone))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return value.replace(tzinfo=dt.UTC)  # the service refuses the unknown zone with a clear message


def _detail(request: HttpRequest, pk: int) -> Event:
    event = selectors.event_get(user=request.user, pk=pk)
    return selectors.events_with_agenda(selectors.event_list(user=request.user).filter(pk=event.pk)).get()


@router.get("", response=list[EventOut])
@paginate(PageNumberPagination, page_size=50)
def list_events(request: HttpRequest, filters: Query[EventFilters]) -> Any:
    return selectors.event_list(user=request.user, filters=filters.dict())


@router.post("", response={201: EventDetailOut})
def create_event(request: HttpRequest, payload: EventIn) -> Any:
    require_scope(request, "write")
    event = services.event_create(actor=request.user, data=payload.data())
    return Status(201, _detail(request, event.pk))


@router.get("/{int:event_id}", response=EventDetailOut)
def get_event(request: HttpRequest, event_id: int) -> Any:
    return _detail(request, event_id)


@router.put("/{int:event_id}", response=EventDetailOut)
def update_event(request: HttpRequest, event_id: int, payload: EventIn) -> Any:
    require_scope(request, "write")
    event = selectors.event_get(user=request.user, pk=event_id)
    services.event_update(actor=request.user, event=event, data=payload.data())
    return _detail(request, event.pk)


@router.post("/{event_id}/status", response=EventDetailOut)
def set_event_status(request: HttpRequest, event_id: int, payload: StatusIn) -> Any:
    require_scope(request, "write")
    event = selectors.event_get(user=request.user, pk=event_id)
    services.event_set_status(actor=request.user, event=event, status=payload.status, reason=payload.reason)
    return _detail(request, event.pk)


@router.get("/{event_id}/event.ics")
def event_ics(request: HttpRequest, event_id: int, lang: str = "") -> HttpResponse:
    """The event and its sessions as an iCalendar file (`lang`: en or fr; default: your language)."""
    event = selectors.event_get(user=request.user, pk=event_id)
    language = lang if lang in ("en", "fr") else getattr(request.user, "language", "") or "en"
    events = selectors.events_with_agenda(selectors.event_list(user=request.user).filter(pk=event.pk))
    with translation.override(language):
        body = cal.build_ics(events, language=language)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="event-{event.pk}.ics"'
    return response


@router.get("/{event_id}/sessions", response=list[SessionOut])
def list_sessions(request: HttpRequest, event_id: int) -> Any:
    event = selectors.event_get(user=request.user, pk=event_id)
    return list(selectors.session_list(user=request.user, event=event))


@router.post("/{event_id}/sessions", response={201: SessionOut})
def create_session(request: HttpRequest, event_id: int, payload: SessionIn) -> Any:
    require_scope(request, "write")
    event = selectors.event_get(user=request.user, pk=event_id)
    session = services.session_create(actor=request.user, event=event, data=payload.data(event))
    return Status(201, selectors.session_get(user=request.user, event=event, pk=session.pk))


@router.put("/{event_id}/sessions/{session_id}", response=SessionOut)
def update_session(request: HttpRequest, event_id: int, session_id: int, payload: SessionIn) -> Any:
    require_scope(request, "write")
    event = selectors.event_get(user=request.user, pk=event_id)
    session = selectors.session_get(user=request.user, event=event, pk=session_id)
    services.session_update(actor=request.user, session=session, data=payload.data(event))
    return selectors.session_get(user=request.user, event=event, pk=session.pk)


@router.delete("/{event_id}/sessions/{session_id}", response={204: None})
def delete_session(request: HttpRequest, event_id: int, session_id: int) -> Any:
    require_scope(request, "write")
    event = selectors.event_get(user=request.user, pk=event_id)
    session = selectors.session_get(user=request.user, event=event, pk=session_id)
    services.session_delete(actor=request.user, session=session)
    return Status(204, None)
