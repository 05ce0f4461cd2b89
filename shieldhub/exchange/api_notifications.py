"""`/api/v1/exchange`: the caller's email notification preferences.

`GET` gives them (the defaults when never set); `PUT` replaces them (the `write` scope). Both are
the caller's own: there is no way to read or change someone else's.
"""

from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema

from shieldhub.core.api import require_scope
from shieldhub.exchange import notifications
from shieldhub.exchange.models import NotificationPreference

router = Router(tags=["exchange"])


class NotificationPreferenceIn(Schema):
    immediate: bool = Field(True, description="Email alerts, special alerts and requests at once.")
    digest: bool = Field(True, description="A daily digest of the other unread messages.")
    kinds: list[str] = Field(default_factory=list, description="Message kinds; empty: every kind.")
    precursors: list[int] = Field(default_factory=list, description="Catalogue item ids; empty: every precursor.")
    regions: list[str] = Field(default_factory=list, description="WCO region codes; empty: every region.")


class NotificationPreferenceOut(Schema):
    immediate: bool
    digest: bool
    kinds: list[str]
    precursors: list[int] = Field(description="Catalogue item ids.")
    precursor_codes: list[str] = Field(description="The same items' codes.")
    regions: list[str]
    email_body_tlps: list[str] = Field(description="TLPs whose message text emails carry (a setting).")


def _out(preference: NotificationPreference) -> dict[str, Any]:
    data = notifications.notification_preference_data(preference)
    items = data.pop("precursors")
    return {
        **data,
        "precursors": [item.pk for item in items],
        "precursor_codes": [item.code for item in items],
        "email_body_tlps": notifications.email_body_tlps(),
    }


@router.get("/notification-preferences", response=NotificationPreferenceOut)
def preferences_get(request: HttpRequest) -> Any:
    return _out(notifications.notification_preference_get(user=request.user))


@router.put("/notification-preferences", response=NotificationPreferenceOut)
def preferences_put(request: HttpRequest, payload: NotificationPreferenceIn) -> Any:
    require_scope(request, "write")
    notifications.notification_preference_update(actor=request.user, data=payload.dict())
    return _out(notifications.notification_preference_get(user=request.user))
