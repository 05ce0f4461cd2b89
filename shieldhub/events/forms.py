"""Forms of the events pages.

Times are typed as the event's local wall-clock times (`datetime-local` inputs) and made aware in the
event's own IANA zone here; the services store them in UTC. A session's times are in its event's zone.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from shieldhub.events import selectors
from shieldhub.events.choices import EventKind, EventStatus, Language
from shieldhub.events.models import Event, Session
from shieldhub.events.services import time_zone_names

LOCAL_FORMAT = "%Y-%m-%dT%H:%M"


class EventFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All")), *EventKind.choices])
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("All")), *EventStatus.choices])
    upcoming = forms.BooleanField(label=_("Upcoming only"), required=False)

    def filters(self) -> dict[str, Any]:
        if not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v}


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format=LOCAL_FORMAT)


def local_value(value: dt.datetime | None, zone: str) -> str:
    """An aware datetime as the `datetime-local` text of its wall-clock time in `zone`."""
    if value is None:
        return ""
    return value.astimezone(zoneinfo.ZoneInfo(zone)).strftime(LOCAL_FORMAT)


def in_zone(value: dt.datetime | None, zone: str) -> dt.datetime | None:
    """The wall-clock time typed in a form, as an aware datetime in `zone`."""
    if value is None:
        return None
    if timezone.is_aware(value):  # Django made it aware in the site's zone: take back the wall clock
        value = timezone.make_naive(value)
    return value.replace(tzinfo=zoneinfo.ZoneInfo(zone))


def _rows(value: Any) -> str:
    return "\n".join(value or [])


class EventForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=[c for c in EventKind.choices if c[0] != EventKind.OPERATION])
    title_en = forms.CharField(label=_("Title in English"), max_length=255)
    title_fr = forms.CharField(label=_("Title in French"), max_length=255, required=False)
    description_en = forms.CharField(
        label=_("Description in English"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    description_fr = forms.CharField(
        label=_("Description in French"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    time_zone = forms.ChoiceField(
        label=_("Time zone"), help_text=_("Start and end times, and the agenda's times, are in this zone.")
    )
    starts_at = forms.DateTimeField(label=_("Starts"), widget=LocalDateTimeInput())
    ends_at = forms.DateTimeField(label=_("Ends"), widget=LocalDateTimeInput())
    venue_name = forms.CharField(label=_("Venue"), max_length=255, required=False)
    venue_address = forms.CharField(label=_("Address"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    venue_country = forms.ChoiceField(label=_("Country of the venue"), required=False)
    rooms = forms.CharField(
        label=_("Rooms"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One room a line; the agenda's sessions take place in these rooms."),
    )  # fmt: skip
    online_url = forms.URLField(
        label=_("Online link"), max_length=500, required=False, assume_scheme="https",
        help_text=_("For webinars and hybrid events."),
    )  # fmt: skip
    languages = forms.MultipleChoiceField(
        label=_("Working languages"), choices=Language.choices, widget=forms.CheckboxSelectMultiple
    )
    interpretation = forms.BooleanField(label=_("Interpretation between English and French"), required=False)
    capacity = forms.IntegerField(label=_("Capacity"), min_value=1, required=False, help_text=_("Empty: no limit."))
    organisers = forms.MultipleChoiceField(
        label=_("Organisers"), required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("Members of the secretariat who organise the event."),
    )  # fmt: skip
    reply_by = forms.DateField(
        label=_("Reply by"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    funding_terms_en = forms.CharField(
        label=_("Funding terms in English"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    funding_terms_fr = forms.CharField(
        label=_("Funding terms in French"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    training_topic = forms.CharField(
        label=_("Training topic"), max_length=255, required=False,
        help_text=_("For trainings: what participants are trained on (kept in the training records)."),
    )  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["time_zone"]).choices = [
            (z, z.replace("_", " ")) for z in time_zone_names()
        ]
        cast(forms.ChoiceField, self.fields["venue_country"]).choices = [("", "—"), *countries]
        cast(forms.ChoiceField, self.fields["organisers"]).choices = [
            (str(u.pk), str(u)) for u in selectors.organiser_candidates()
        ]  # fmt: skip
        if not self.is_bound and not self.initial.get("time_zone"):
            self.initial["time_zone"] = "Europe/Brussels"
        if not self.is_bound and not self.initial.get("languages"):
            self.initial["languages"] = ["en", "fr"]

    @staticmethod
    def initial_from(event: Event) -> dict[str, Any]:
        zone = event.time_zone
        return {
            "kind": event.kind, "title_en": event.title_en, "title_fr": event.title_fr,
            "description_en": event.description_en, "description_fr": event.description_fr, "time_zone": zone,
            "starts_at": local_value(event.starts_at, zone), "ends_at": local_value(event.ends_at, zone),
            "venue_name": event.venue_name, "venue_address": event.venue_address,
            "venue_country": str(event.venue_country or ""), "rooms": _rows(event.rooms),
            "online_url": event.online_url, "languages": list(event.languages), "interpretation": event.interpretation,
            "capacity": event.capacity, "organisers": [str(pk) for pk in event.organisers.values_list("pk", flat=True)],
            "reply_by": event.reply_by, "funding_terms_en": event.funding_terms_en,
            "funding_terms_fr": event.funding_terms_fr, "training_topic": event.training_topic,
        }  # fmt: skip

    def event_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        zone = data["time_zone"]
        data["starts_at"] = in_zone(data["starts_at"], zone)
        data["ends_at"] = in_zone(data["ends_at"], zone)
        data["rooms"] = (data.get("rooms") or "").splitlines()
        data["organisers"] = [int(pk) for pk in data.get("organisers") or []]
        return data


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=EventStatus.choices)
    reason = forms.CharField(
        label=_("Reason"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed to cancel: it is kept in the event's history."),
    )  # fmt: skip

    def __init__(self, *args: Any, allowed: tuple[str, ...] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["status"]).choices = [c for c in EventStatus.choices if c[0] in allowed]


class SessionForm(forms.Form):
    title_en = forms.CharField(label=_("Title in English"), max_length=255)
    title_fr = forms.CharField(label=_("Title in French"), max_length=255, required=False)
    description_en = forms.CharField(
        label=_("Description in English"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    description_fr = forms.CharField(
        label=_("Description in French"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    starts_at = forms.DateTimeField(label=_("Starts"), widget=LocalDateTimeInput())
    ends_at = forms.DateTimeField(label=_("Ends"), widget=LocalDateTimeInput())
    room = forms.ChoiceField(label=_("Room"), required=False)
    speakers = forms.MultipleChoiceField(label=_("Speakers"), required=False)
    moderators = forms.MultipleChoiceField(label=_("Moderators"), required=False)
    people_q = forms.CharField(label=_("Find people in the directory"), required=False, max_length=100)

    def __init__(self, *args: Any, event: Event, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.event = event
        self.user = user
        cast(forms.ChoiceField, self.fields["room"]).choices = [("", "—"), *((r, r) for r in event.rooms or [])]
        chosen = self._chosen_ids()
        self.candidates = selectors.session_people(user=user, chosen=chosen, q=self._people_q())
        ids = [(str(p.pk), str(p)) for p in self.candidates]
        cast(forms.ChoiceField, self.fields["speakers"]).choices = ids
        cast(forms.ChoiceField, self.fields["moderators"]).choices = ids
        if not self.is_bound and not self.initial.get("starts_at"):
            self.initial["starts_at"] = local_value(event.starts_at, event.time_zone)
            self.initial["ends_at"] = local_value(event.starts_at + dt.timedelta(hours=1), event.time_zone)

    def _people_q(self) -> str:
        source = self.data if self.is_bound else self.initial
        return str(source.get("people_q") or "").strip()

    def _chosen_ids(self) -> set[int]:
        ids: set[int] = set()
        for name in ("speakers", "moderators"):
            if self.is_bound:
                values = self.data.getlist(name) if hasattr(self.data, "getlist") else self.data.get(name) or []
            else:
                values = self.initial.get(name) or []
            ids |= {int(v) for v in values if str(v).isdigit()}
        return ids

    def people_rows(self) -> list[dict[str, Any]]:
        """The candidates with whether each speaks or moderates (the form's table of people)."""
        source = self.data if self.is_bound else self.initial
        speakers = source.getlist("speakers") if hasattr(source, "getlist") else source.get("speakers") or []
        moderators = source.getlist("moderators") if hasattr(source, "getlist") else source.get("moderators") or []
        speakers, moderators = {str(v) for v in speakers}, {str(v) for v in moderators}
        return [
            {"person": p, "speaker": str(p.pk) in speakers, "moderator": str(p.pk) in moderators,
             "chosen": str(p.pk) in speakers | moderators}
            for p in self.candidates
        ]  # fmt: skip

    @staticmethod
    def initial_from(session: Session) -> dict[str, Any]:
        zone = session.event.time_zone
        return {
            "title_en": session.title_en, "title_fr": session.title_fr, "description_en": session.description_en,
            "description_fr": session.description_fr, "starts_at": local_value(session.starts_at, zone),
            "ends_at": local_value(session.ends_at, zone), "room": session.room,
            "speakers": [str(p.pk) for p in session.speakers.all()],
            "moderators": [str(p.pk) for p in session.moderators.all()],
        }  # fmt: skip

    def session_data(self) -> dict[str, Any]:
        data = {k: v for k, v in self.cleaned_data.items() if k != "people_q"}
        zone = self.event.time_zone
        data["starts_at"] = in_zone(data["starts_at"], zone)
        data["ends_at"] = in_zone(data["ends_at"], zone)
        data["speakers"] = [int(pk) for pk in data.get("speakers") or []]
        data["moderators"] = [int(pk) for pk in data.get("moderators") or []]
        return data
