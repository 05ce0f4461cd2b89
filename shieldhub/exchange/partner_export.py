"""Partner export: a message as a STIX 2.1 bundle or a MISP event, for INTERPOL or UNODC.

**Who, what.** The message's sender, or a coordinator or analyst of the secretariat, exports a
message they can see (else 404), that is sent (not withdrawn, pending or rejected), not TLP:RED,
and releasable to that partner. Handling codes apply as to forwarding: "customs use only" is
never released to a partner; "no onward sharing without consent" and "other restriction" only by
the originator. Each export is audited (`exchange.message_export`, with the partner, the format and
the SHA-256 of what was delivered).

**Personal data removed.** No sender name, email or phone, no recipient. Email addresses,
phone-number-like strings, the names and addresses of the people in the message's chain (the
senders and recipients of the message and of the messages it forwards) and the full names of the
hub's accounts are replaced by "[removed]" in the subject and the body; raw HTML is stripped.
Names the hub does not know (a driver, a company's manager) cannot be recognised: the sender stays
responsible for them when marking a message releasable. The sender's country is kept. The
creator of every object is the Programme ("WCO Programme Global Shield"), never a person.

**STIX 2.1.** `identity` (the Programme), the TLP 2.0 `marking-definition` (stix2 3.0 knows only
TLP 1.0, so the five TLP 2.0 objects are built with the ids OASIS published for the TLP 2.0
extension, extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d), a `report` (subject,
body, publication date, labels, `x_pgs_*` custom properties for the handling code, grading, HS
codes and precursors), one `location` per country involved, and two `note`s: handling and grading,
and the countries with their roles. Ids are UUIDv5 of the message, so a new export of the same
message updates the same objects at the partner's.

**MISP.** An Event with `tlp:*`, `pgs:*` and `admiralty-scale:*` tags, the body as a `text`
attribute, HS codes as `text` attributes and one `geolocation` object per country.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import uuid
from collections.abc import Callable
from typing import Any

import nh3
import stix2
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from shieldhub.core.access import Perm, has_perm, require
from shieldhub.core.audit import audit_record
from shieldhub.exchange import selectors
from shieldhub.exchange.choices import (
    CountryRole,
    HandlingCode,
    InformationCredibility,
    MessageKind,
    MessageStatus,
    SourceReliability,
    Tlp,
)
from shieldhub.exchange.forwarding import ancestor_ids, originator_id
from shieldhub.exchange.models import Message, MessageRecipient

PARTNERS = {"interpol": "INTERPOL", "unodc": "UNODC"}
FORMATS = {"stix": "STIX 2.1", "misp": "MISP"}

PROGRAMME = "WCO Programme Global Shield"
_NAMESPACE = uuid.UUID("5b0f3c2e-8a61-4f0e-9d3c-6f1e2a7b9c41")  # this application's ids
PROGRAMME_IDENTITY = f"identity--{uuid.uuid5(_NAMESPACE, 'identity:programme-global-shield')}"
_PROGRAMME_CREATED = "2024-01-01T00:00:00.000Z"

# TLP 2.0 in STIX 2.1: the marking definitions OASIS published with the TLP 2.0 extension
# (oasis-open/cti-stix-common-objects, extension-definition-specifications/tlp-2.0).
TLP2_EXTENSION = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"
TLP2_MARKINGS: dict[str, tuple[str, str, str]] = {
    Tlp.CLEAR: ("marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487", "TLP:CLEAR", "clear"),
    Tlp.GREEN: ("marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb", "TLP:GREEN", "green"),
    Tlp.AMBER: ("marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421", "TLP:AMBER", "amber"),
    Tlp.AMBER_STRICT: (
        "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
        "TLP:AMBER+STRICT",
        "amber+strict",
    ),
    Tlp.RED: ("marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1", "TLP:RED", "red"),
}
# MISP: the tlp taxonomy's tags, and the event distribution a partner's instance starts from.
MISP_TLP_TAG: dict[str, str] = {
    Tlp.CLEAR: "tlp:clear",
    Tlp.GREEN: "tlp:green",
    Tlp.AMBER: "tlp:amber",
    Tlp.AMBER_STRICT: "tlp:amber+strict",
}
MISP_DISTRIBUTION: dict[str, str] = {
    Tlp.CLEAR: "3",
    Tlp.GREEN: "1",
    Tlp.AMBER: "0",
    Tlp.AMBER_STRICT: "0",
}  # 0: their organisation
MISP_THREAT_LEVEL: dict[str, str] = {MessageKind.SPECIAL_ALERT: "1", MessageKind.ALERT: "2"}  # 1 high, 2 medium, 3 low
REMOVED = "[removed]"

# --- personal data -----------------------------------------------------------------------------

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}")
_PHONE_CANDIDATE = re.compile(r"(?<![\w+])(?:\+|00)?\(?\d[\d\s().\-/]{5,}\d(?!\w)")
_NOT_PHONE = (
    re.compile(r"\d{4}-\d{2}-\d{2}"),  # ISO date
    re.compile(r"\d{4}\.\d{2}(?:\.\d{2}){0,2}"),  # HS code
    re.compile(r"\d{1,3}(?:[ ,.\u00a0]\d{3})+"),  # a quantity with thousands separators
    re.compile(r"\d{2,7}-\d{2}-\d"),  # CAS number
)


def _phone(match: re.Match[str]) -> str:
    text = match.group()
    digits = sum(c.isdigit() for c in text)
    if text.startswith(("+", "00")):
        return REMOVED if digits >= 7 else text
    stripped = text.strip()
    if any(pattern.fullmatch(stripped) for pattern in _NOT_PHONE):
        return text
    return REMOVED if digits >= 8 else text


def scrub(text: str, names: list[str] | tuple[str, ...] = ()) -> str:
    """The text without HTML, email addresses, phone-number-like strings and these names."""
    text = html.unescape(nh3.clean(text or "", tags=set()))
    text = _EMAIL.sub(REMOVED, text)
    text = _PHONE_CANDIDATE.sub(_phone, text)
    wanted = sorted({n.strip() for n in names if n and len(n.strip()) >= 3}, key=len, reverse=True)
    if wanted:
        pattern = "|".join(re.escape(name) for name in wanted)
        text = re.sub(rf"(?<!\w)(?:{pattern})(?!\w)", REMOVED, text, flags=re.IGNORECASE)
    return text


def _known_names(message: Message) -> list[str]:
    """The people the hub knows: everyone in this message's chain (the senders and recipients of the
    message and of the messages it forwards, whose text it quotes), the full names of every account
    of the hub (a body may name a colleague), and the directory's contacts named in the text. People
    the hub does not know (a suspect, a driver) are not recognised: there is no name recognition."""
    from django.contrib.auth import get_user_model

    from shieldhub.directory.selectors import contact_names_in

    users = get_user_model().objects
    chain = [message.pk, *ancestor_ids(message)]
    user_ids = set(Message.objects.filter(pk__in=chain).values_list("sender_id", flat=True))
    user_ids |= set(MessageRecipient.objects.filter(message__in=chain).values_list("user_id", flat=True))
    names: list[str] = []
    for full_name, email in users.filter(pk__in=user_ids).values_list("full_name", "email"):
        names += [full_name, email]
    names += [n for n in users.exclude(full_name="").values_list("full_name", flat=True) if " " in n.strip()]
    names += contact_names_in(" ".join((message.subject, message.body, message.handling_text)))
    return names


# --- who may export what -----------------------------------------------------------------------


def may_export(user: Any, message: Message) -> bool:
    """The sender, and the secretariat's coordinators and analysts (of messages they can see)."""
    return message.sender_id == getattr(user, "pk", None) or has_perm(user, Perm.EXCHANGE_PARTNER_EXPORT)


def export_refusal(*, actor: Any, message: Message, partner: str) -> str:
    """Why this message may not go to this partner ("" when it may). The actor can see it."""
    if partner not in PARTNERS:
        return _("Unknown partner.")
    if message.status != MessageStatus.SENT:
        return _("Only a sent message is exported (not a withdrawn one, nor one awaiting approval).")
    if message.tlp == Tlp.RED:
        return _("TLP:RED information is never exported.")
    if partner not in message.releasability:
        return _("This message is not releasable to %(partner)s.") % {"partner": PARTNERS[partner]}
    if message.handling_code == HandlingCode.CUSTOMS_ONLY:
        return _("Customs use only: this message is never released to a partner.")
    if message.handling_code in (HandlingCode.NO_ONWARD_SHARING, HandlingCode.OTHER) and originator_id(
        message
    ) != getattr(actor, "pk", None):
        return _("Only the originator may release this message (its handling code restricts onward sharing).")
    return ""


def export_options(*, actor: Any, message: Message) -> list[dict[str, Any]]:
    """The exports the actor may download for this message: one entry per partner."""
    if not may_export(actor, message) or message.status != MessageStatus.SENT:
        return []
    return [
        {"partner": partner, "label": PARTNERS[partner], "formats": list(FORMATS.items())}
        for partner in message.releasability
        if not export_refusal(actor=actor, message=message, partner=partner)
    ]


def _checked(actor: Any, message: Message, partner: str) -> Message:
    require(actor, Perm.EXCHANGE_USE)
    message = selectors.message_get(user=actor, pk=message.pk)
    if partner not in PARTNERS:
        raise ValidationError({"partner": _("Unknown partner.")})
    if not may_export(actor, message):
        raise PermissionDenied(
            _("Only the sender and the secretariat's coordinators and analysts export messages to partners.")
        )
    refusal = export_refusal(actor=actor, message=message, partner=partner)
    if refusal:
        raise ValidationError(refusal)
    return message


# --- building ----------------------------------------------------------------------------------


def _uuid(message: Message, what: str) -> str:
    """A stable id per message (and per deployment: the creation time is part of the name)."""
    return str(uuid.uuid5(_NAMESPACE, f"message:{message.pk}:{message.created_at.isoformat()}:{what}"))


def _modified(message: Message) -> Any:
    last = message.versions.order_by("-number").values_list("created_at", flat=True).first()
    sent = message.sent_at or message.created_at
    return max(last, sent) if last else sent


def _countries(message: Message) -> list[tuple[str, str, list[str]]]:
    """(code, English name, roles) per country, the sender's country as "reporting"."""
    roles: dict[str, list[str]] = {}
    for c in message.countries.all().order_by("country", "role"):
        roles.setdefault(c.country.code, []).append(str(c.role))
    if message.sender_country:
        roles.setdefault(message.sender_country.code, []).append(str(CountryRole.REPORTING))
    from django_countries import countries as registry

    return [(code, str(registry.name(code)), sorted(set(r))) for code, r in sorted(roles.items())]


def _precursors(message: Message) -> list[dict[str, str]]:
    return [
        {"code": p.code, "name": p.name_en, "cas": p.cas}
        for p in message.precursors.all().order_by("name_en").only("code", "name_en", "cas")
    ]


def _handling_lines(message: Message, handling_text: str) -> list[str]:
    lines = [TLP2_MARKINGS[message.tlp][1]]
    if message.handling_code:
        text = str(HandlingCode(message.handling_code).label)
        if handling_text:
            text += f": {handling_text}"
        lines.append(f"Handling: {text}")
    if message.source_reliability:
        lines.append(f"Source reliability: {SourceReliability(message.source_reliability).label}")
    if message.information_credibility:
        lines.append(f"Information credibility: {InformationCredibility(message.information_credibility).label}")
    lines.append("Releasable to: " + ", ".join(PARTNERS[p] for p in message.releasability))
    if message.sender_country:
        lines.append(f"Reporting country: {message.sender_country.code}")
    return lines


def _content(message: Message) -> dict[str, Any]:
    names = _known_names(message)
    return {
        "subject": scrub(message.subject, names),
        "body": scrub(message.body, names),
        "handling_text": scrub(message.handling_text, names),
        "countries": _countries(message),
        "precursors": _precursors(message),
        "modified": _modified(message),
        "sent": message.sent_at or message.created_at,
    }


def _stix(message: Message) -> dict[str, Any]:
    content = _content(message)
    created, modified = content["sent"], content["modified"]
    marking_id, marking_name, tlp_level = TLP2_MARKINGS[message.tlp]
    marking = stix2.v21.MarkingDefinition(
        id=marking_id,
        created="2022-10-01T00:00:00.000Z",
        name=marking_name,
        extensions={TLP2_EXTENSION: {"extension_type": "property-extension", "tlp_2_0": tlp_level}},
    )
    identity = stix2.v21.Identity(
        id=PROGRAMME_IDENTITY,
        created=_PROGRAMME_CREATED,
        modified=_PROGRAMME_CREATED,
        name=PROGRAMME,
        identity_class="organization",
        description="World Customs Organization, Programme Global Shield: the secure exchange of its network.",
    )
    common = {"created_by_ref": identity.id, "object_marking_refs": [marking.id], "created": created}
    report_id = f"report--{_uuid(message, 'report')}"
    locations = [
        stix2.v21.Location(
            id=f"location--{_uuid(message, 'country:' + code)}",
            name=name,
            country=code,
            description="Role: " + ", ".join(roles),
            modified=created,
            **common,
        )
        for code, name, roles in content["countries"]
    ]
    handling_note = stix2.v21.Note(
        id=f"note--{_uuid(message, 'note:handling')}",
        abstract="Handling and grading",
        content="\n".join(_handling_lines(message, content["handling_text"])),
        object_refs=[report_id],
        modified=modified,
        **common,
    )
    notes = [handling_note]
    if locations:
        notes.append(
            stix2.v21.Note(
                id=f"note--{_uuid(message, 'note:countries')}",
                abstract="Countries involved",
                content="\n".join(f"{name} ({code}): {', '.join(roles)}" for code, name, roles in content["countries"]),
                object_refs=[loc.id for loc in locations],
                modified=modified,
                **common,
            )
        )
    labels = [f"pgs-kind:{message.kind}"]
    if message.handling_code:
        labels.append(f"pgs-handling:{message.handling_code}")
    labels += [f"pgs-precursor:{p['code']}" for p in content["precursors"]]
    report = stix2.v21.Report(
        id=report_id,
        name=content["subject"],
        description=content["body"],
        published=created,
        report_types=["threat-report"],
        labels=labels,
        lang=message.language,
        object_refs=[loc.id for loc in locations] + [note.id for note in notes],
        modified=modified,
        allow_custom=True,
        x_pgs_message_kind=str(message.kind),
        x_pgs_handling_code=message.handling_code,
        x_pgs_handling_text=content["handling_text"],
        x_pgs_source_reliability=message.source_reliability,
        x_pgs_information_credibility=message.information_credibility,
        x_pgs_hs_codes=list(message.hs_codes or []),
        x_pgs_precursors=content["precursors"],
        x_pgs_reporting_country=message.sender_country.code if message.sender_country else "",
        x_pgs_releasable_to=list(message.releasability),
        **common,
    )
    bundle = stix2.v21.Bundle(objects=[identity, marking, report, *notes, *locations], allow_custom=True)
    result: dict[str, Any] = json.loads(bundle.serialize())
    return result


def _misp_attribute(message: Message, what: str, value: str, comment: str, **extra: Any) -> dict[str, Any]:
    return {
        "uuid": _uuid(message, f"misp:{what}"),
        "type": "text",
        "category": "Other",
        "value": value,
        "comment": comment,
        "to_ids": False,
        "distribution": "5",  # as the event
        **extra,
    }


def _misp(message: Message) -> dict[str, Any]:
    content = _content(message)
    tags = [MISP_TLP_TAG[message.tlp], f'pgs:message-kind="{message.kind}"']
    if message.handling_code:
        tags.append(f'pgs:handling-code="{message.handling_code.replace("_", "-")}"')
    tags += [f'pgs:releasable-to="{p}"' for p in message.releasability]
    tags += [f'pgs:precursor="{p["name"]}"' for p in content["precursors"]]
    tags += [f'pgs:{role}-country="{code}"' for code, _name, roles in content["countries"] for role in roles]
    if message.source_reliability:
        tags.append(f'admiralty-scale:source-reliability="{message.source_reliability.lower()}"')
    if message.information_credibility:
        tags.append(f'admiralty-scale:information-credibility="{message.information_credibility}"')
    attributes = [
        _misp_attribute(message, "body", content["body"], "Message text (personal data removed)"),
        *(
            _misp_attribute(message, f"hs:{code}", code, "HS code", Tag=[{"name": f'pgs:hs-code="{code}"'}])
            for code in message.hs_codes or []
        ),
        *(
            _misp_attribute(message, f"cas:{p['code']}", p["cas"], f"CAS number of {p['name']}")
            for p in content["precursors"]
            if p["cas"]
        ),
    ]
    if message.handling_code:
        attributes.append(
            _misp_attribute(
                message,
                "handling",
                "\n".join(_handling_lines(message, content["handling_text"])[1:]),
                "Handling and grading",
            )
        )
    objects = [
        {
            "uuid": _uuid(message, f"misp:country:{code}"),
            "name": "geolocation",
            "meta-category": "misc",
            "description": "A country involved and its role",
            "distribution": "5",
            "Attribute": [
                {"object_relation": "countrycode", "type": "text", "category": "Other", "value": code},
                {"object_relation": "country", "type": "text", "category": "Other", "value": name},
                {"object_relation": "text", "type": "text", "category": "Other", "value": ", ".join(roles)},
            ],
        }
        for code, name, roles in content["countries"]
    ]
    modified = content["modified"]
    return {
        "Event": {
            "uuid": _uuid(message, "misp:event"),
            "info": content["subject"],
            "date": timezone.localdate(content["sent"]).isoformat(),
            "timestamp": str(int(modified.timestamp())),
            "published": False,
            "threat_level_id": MISP_THREAT_LEVEL.get(message.kind, "3"),
            "analysis": "0" if message.kind == MessageKind.RFI else "2",
            "distribution": MISP_DISTRIBUTION[message.tlp],
            "Orgc": {"name": PROGRAMME, "uuid": PROGRAMME_IDENTITY.split("--", 1)[1]},
            "Tag": [{"name": name} for name in tags],
            "Attribute": attributes,
            "Object": objects,
        }
    }


def _export(
    actor: Any, message: Message, partner: str, fmt: str, build: Callable[[Message], dict[str, Any]]
) -> dict[str, Any]:
    message = _checked(actor, message, partner)
    with translation.override("en"):
        result = build(message)
    digest = hashlib.sha256(json.dumps(result, sort_keys=True).encode()).hexdigest()
    audit_record(
        actor=actor,
        action="exchange.message_export",
        obj=message,
        extra={"partner": partner, "format": fmt, "tlp": message.tlp, "version": message.version, "sha256": digest},
    )
    return result


@transaction.atomic
def export_stix(*, actor: Any, message: Message, partner: str) -> dict[str, Any]:
    """The message as a STIX 2.1 bundle for this partner (personal data removed); audited."""
    return _export(actor, message, partner, "stix", _stix)


@transaction.atomic
def export_misp(*, actor: Any, message: Message, partner: str) -> dict[str, Any]:
    """The message as a MISP event (JSON) for this partner (personal data removed); audited."""
    return _export(actor, message, partner, "misp", _misp)


def export_message(*, actor: Any, message: Message, partner: str, fmt: str) -> dict[str, Any]:
    if fmt == "stix":
        return export_stix(actor=actor, message=message, partner=partner)
    if fmt == "misp":
        return export_misp(actor=actor, message=message, partner=partner)
    raise ValidationError({"format": _("Unknown format.")})


def export_filename(message: Message, partner: str, fmt: str) -> str:
    return f"pgs-message-{message.pk}-{partner}.{fmt}.json"
