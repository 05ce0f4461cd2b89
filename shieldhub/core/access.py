"""The one access policy of Global Shield Hub.

Two questions are answered here and nowhere else:

1. *What may this user do?* — `has_perm(user, Perm.X)`, from the role table `ROLE_PERMISSIONS`
   (written out in ARCHITECTURE.md; a test checks the two agree).
2. *Which records may this user see?* — the `*_visible_q(user)` functions return a `Q` that
   selectors apply to their querysets, so pages, the API, search and exports share one rule.

Anything not granted is refused. An inactive or anonymous user has no permission at all.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

from shieldhub.accounts.choices import SECRETARIAT_ROLES, Role


class Perm(StrEnum):
    # reference data
    REFERENCE_VIEW = "reference.view"
    CATALOGUE_EDIT = "reference.catalogue_edit"
    # directory
    DIRECTORY_VIEW_ALL = "directory.view_all"  # every contact, with notes
    DIRECTORY_VIEW_NETWORK = "directory.view_network"  # the NCP network and one's own country
    DIRECTORY_EDIT = "directory.edit"
    DIRECTORY_IMPORT = "directory.import"
    DIRECTORY_EXPORT = "directory.export"
    DIRECTORY_VERIFY = "directory.verify"  # send verification emails
    COVERAGE_VIEW = "directory.coverage_view"
    COMMUNITY_MANAGE = "directory.community_manage"
    NOMINATION_MANAGE = "directory.nomination_manage"
    # accounts and audit
    ACCOUNTS_INVITE = "accounts.invite"
    ACCOUNTS_MANAGE = "accounts.manage"
    AUDIT_VIEW = "core.audit_view"
    ADMIN_SITE = "core.admin_site"
    API_USE = "core.api_use"
    # secure exchange
    EXCHANGE_USE = "exchange.use"  # send, receive and reply to messages
    EXCHANGE_SPECIAL_ALERT = "exchange.special_alert"  # send the secretariat's special alerts
    EXCHANGE_PARTNER_EXPORT = "exchange.partner_export"  # release messages to partners (STIX, MISP)
    # seizure and incident records
    SEIZURE_REPORT = "seizures.report"  # write records for one's country (the analyst: for any country)
    SEIZURE_VIEW_ALL = "seizures.view_all"  # every submitted record
    SEIZURE_VALIDATE = "seizures.validate"  # validate, or return with comments
    SEIZURE_STATS = "seizures.stats"  # aggregate statistics, no record detail
    SEIZURE_IMPORT = "seizures.import"  # bulk import of records from a spreadsheet
    # licit shipments (pre-export notifications) and their verification by the importing country
    SHIPMENT_USE = "shipments.use"  # the shipments of one's country (exporting or importing)
    SHIPMENT_NOTIFY = "shipments.notify"  # register a notification (the analyst: for any country)
    SHIPMENT_VIEW_ALL = "shipments.view_all"  # every notification
    # shared entities (companies; persons, vehicles and vessels under restriction)
    ENTITY_VIEW = "entities.view"  # entity pages, with the records one may see
    ENTITY_LINK = "entities.link"  # confirm or reject "same as" suggestions
    # risk screening
    SCREENING_RUN = "screening.run"  # screen a declarations file
    SCREENING_CONFIGURE = "screening.configure"  # rules, weights, watch lists
    # events and operations
    EVENTS_VIEW = "events.view"  # the events one is invited to or registered for (the secretariat: all)
    EVENTS_MANAGE = "events.manage"  # create events, agendas, invitations; approve registrations; attendance
    EVENTS_NOMINATE = "events.nominate"  # nominate participants for one's administration
    EVENTS_PERSONAL_DATA = "events.personal_data"  # participants' passport details (visas)
    TRAINING_RECORDS = "events.training_records"  # who was trained: the Programme's indicators
    OPERATIONS_MANAGE = "events.operations_manage"  # plan and run operations
    # analysis and reporting
    ANALYSIS_VIEW = "analysis.view"  # dashboards and country profiles (details: one's own country's only)
    ANALYSIS_ALL = "analysis.all"  # dashboards and profiles with every country's detail
    OSINT_USE = "analysis.osint"  # open-source monitoring: feeds, items, triage
    INDICATORS_EDIT = "analysis.indicators_edit"  # the results framework and hand-entered values
    REPORTS_VIEW = "analysis.reports_view"  # indicators and donor reports
    REPORTS_WRITE = "analysis.reports_write"  # write and generate donor reports


_EVERYONE = frozenset({Perm.REFERENCE_VIEW, Perm.API_USE})
_SECRETARIAT_READ = _EVERYONE | {
    Perm.DIRECTORY_VIEW_ALL,
    Perm.DIRECTORY_VIEW_NETWORK,
    Perm.DIRECTORY_EXPORT,
    Perm.COVERAGE_VIEW,
}
_DIRECTORY_KEEPER = _SECRETARIAT_READ | {
    Perm.DIRECTORY_EDIT,
    Perm.DIRECTORY_IMPORT,
    Perm.DIRECTORY_VERIFY,
    Perm.COMMUNITY_MANAGE,
    Perm.NOMINATION_MANAGE,
    Perm.ACCOUNTS_INVITE,
}

ROLE_PERMISSIONS: dict[Role, frozenset[Perm]] = {
    Role.COORDINATOR: _DIRECTORY_KEEPER | {Perm.AUDIT_VIEW, Perm.CATALOGUE_EDIT},
    Role.ASSISTANT: _DIRECTORY_KEEPER,
    Role.ANALYST: _SECRETARIAT_READ | {Perm.CATALOGUE_EDIT},
    Role.TRAINER: _SECRETARIAT_READ,
    # NCPs and partners may export what they can see (the network, into Outlook or Excel).
    Role.NCP: _EVERYONE | {Perm.DIRECTORY_VIEW_NETWORK, Perm.DIRECTORY_EXPORT, Perm.COVERAGE_VIEW},
    Role.PARTNER: _EVERYONE | {Perm.DIRECTORY_VIEW_NETWORK, Perm.DIRECTORY_EXPORT, Perm.COVERAGE_VIEW},
    Role.DONOR: _EVERYONE | {Perm.COVERAGE_VIEW},
    Role.ADMIN: _DIRECTORY_KEEPER | {Perm.AUDIT_VIEW, Perm.ACCOUNTS_MANAGE, Perm.ADMIN_SITE, Perm.CATALOGUE_EDIT},
}


def user_perms(user: Any) -> frozenset[Perm]:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    perms: set[Perm] = set()
    for role in user.roles:
        perms |= ROLE_PERMISSIONS.get(Role(role), frozenset())
    return frozenset(perms)


def has_perm(user: Any, perm: Perm) -> bool:
    return perm in user_perms(user)


def require(user: Any, perm: Perm, *, hide: bool = False) -> None:
    """Refuse with 403, or with 404 when even the existence of the thing must not be confirmed."""
    if not has_perm(user, perm):
        if hide:
            raise Http404
        raise PermissionDenied


def is_secretariat(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.roles & SECRETARIAT_ROLES)


def user_country(user: Any) -> str:
    """The country an NCP acts for ('' for everyone else)."""
    if getattr(user, "is_authenticated", False) and Role.NCP in user.roles and user.country:
        return str(user.country.code if hasattr(user.country, "code") else user.country)
    return ""


NOTHING = Q(pk__in=[])


# --- directory record visibility -------------------------------------------------------------
# The directory is the secretariat's contact list. The NCP network is there to be used, so NCPs
# and partners see the people who hold an active NCP nomination anywhere, and NCPs also see every
# contact of their own country. Notes and verification data stay with the secretariat (the
# selectors drop those fields). Donors see only the aggregate coverage page.


def people_visible_q(user: Any) -> Q:
    perms = user_perms(user)
    if Perm.DIRECTORY_VIEW_ALL in perms:
        return Q()
    if Perm.DIRECTORY_VIEW_NETWORK not in perms:
        return NOTHING
    nomination = apps.get_model("directory", "NcpNomination")
    q = Q(pk__in=nomination.objects.filter(status="active").values("person_id"))
    country = user_country(user)
    if country:
        q |= Q(country=country)
    return q


def organisations_visible_q(user: Any) -> Q:
    perms = user_perms(user)
    if Perm.DIRECTORY_VIEW_ALL in perms or Perm.DIRECTORY_VIEW_NETWORK in perms:
        return Q()
    return NOTHING


def nominations_visible_q(user: Any) -> Q:
    perms = user_perms(user)
    if Perm.DIRECTORY_VIEW_ALL in perms:
        return Q()
    if Perm.DIRECTORY_VIEW_NETWORK not in perms:
        return NOTHING
    q = Q(status="active")
    country = user_country(user)
    if country:
        q |= Q(country=country)
    return q


def communities_visible_q(user: Any) -> Q:
    """The secretariat sees every community; others see those they belong to."""
    perms = user_perms(user)
    if Perm.DIRECTORY_VIEW_ALL in perms:
        return Q()
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return NOTHING
    membership = apps.get_model("directory", "Membership")
    return Q(pk__in=membership.objects.filter(user=user).values("community_id"))


def can_see_private_contact_fields(user: Any) -> bool:
    """Notes, verification dates and import provenance: the secretariat only."""
    return has_perm(user, Perm.DIRECTORY_VIEW_ALL)


def permission_table_markdown() -> str:
    """The role × permission table as Markdown; ARCHITECTURE.md carries it and a test keeps them equal."""
    roles = list(Role)
    header = "| permission | " + " | ".join(r.value for r in roles) + " |"
    sep = "|---|" + "---|" * len(roles)
    rows = [header, sep]
    for perm in Perm:
        marks = " | ".join("✔" if perm in ROLE_PERMISSIONS[r] else "" for r in roles)
        rows.append(f"| `{perm.value}` | {marks} |")
    return "\n".join(rows)


# --- secure exchange ---------------------------------------------------------------------------
# Messages are seen only by those they were shared with: their sender and the recipients recorded
# when they were sent. No role sees every message — not the secretariat, not an Administrator.
# A partner sees a message only if it was distributed to them AND its releasability names their
# organisation. Drafts are the sender's alone. A withdrawn message stays in the recipients' lists,
# but its body is hidden from them (the selectors and `message_body_visible` see to that).
# Four-eyes moderation: a message awaiting approval (pending) is also seen by the moderators of the
# moderated communities in its distribution (partners again only where it is releasable to them);
# a rejected one by its sender alone. Moderators are appointed on the community (Membership.role).

for _role in (Role.COORDINATOR, Role.ASSISTANT, Role.ANALYST, Role.TRAINER):
    ROLE_PERMISSIONS[_role] = ROLE_PERMISSIONS[_role] | {Perm.EXCHANGE_USE, Perm.EXCHANGE_SPECIAL_ALERT}
for _role in (Role.NCP, Role.PARTNER, Role.ADMIN):
    ROLE_PERMISSIONS[_role] = ROLE_PERMISSIONS[_role] | {Perm.EXCHANGE_USE}
# The coordinator and the analyst release messages they can see to partners (the sender of a
# message may export it too: see exchange.partner_export).
for _role in (Role.COORDINATOR, Role.ANALYST):
    ROLE_PERMISSIONS[_role] = ROLE_PERMISSIONS[_role] | {Perm.EXCHANGE_PARTNER_EXPORT}

# The Message field that says a message is releasable to each partner organisation.
PARTNER_RELEASABILITY_FIELD = {"interpol": "releasable_interpol", "unodc": "releasable_unodc"}


def moderated_communities_q(user: Any) -> Q:
    """The communities (directory.Community) whose pending messages this user moderates: those that
    require moderation and where the user holds the moderator role. No role moderates by itself —
    not the secretariat, not an Administrator: a moderator is appointed on the community."""
    if Perm.EXCHANGE_USE not in user_perms(user):
        return NOTHING
    membership = apps.get_model("directory", "Membership")
    moderated = membership.objects.filter(user=user, role="moderator", community__requires_moderation=True)
    return Q(pk__in=moderated.values("community_id"))


def messages_visible_q(user: Any) -> Q:
    """The messages (exchange.Message) this user may see.

    The sender sees their own messages whatever their status. Recipients see delivered ones (sent
    or withdrawn). A message awaiting approval (pending) is also seen by the moderators of the
    moderated communities in its distribution; a rejected one by its sender alone.
    """
    if Perm.EXCHANGE_USE not in user_perms(user):
        return NOTHING
    recipient = apps.get_model("exchange", "MessageRecipient")
    received = Q(status__in=["sent", "withdrawn"]) & Q(pk__in=recipient.objects.filter(user=user).values("message_id"))
    community = apps.get_model("directory", "Community")
    distribution = apps.get_model("exchange", "MessageDistribution")
    moderated = community.objects.filter(moderated_communities_q(user)).values("pk")
    to_moderate = Q(status="pending") & Q(
        pk__in=distribution.objects.filter(community__in=moderated).values("message_id")
    )
    if Role.PARTNER in user.roles:
        # A partner sees (and moderates) only what is releasable to their organisation.
        field = PARTNER_RELEASABILITY_FIELD.get(user.partner_organisation or "")
        if not field:
            return Q(sender=user)
        return Q(sender=user) | ((received | to_moderate) & Q(**{field: True}))
    return Q(sender=user) | received | to_moderate


def messages_received_visible_q(user: Any) -> Q:
    """The same rule as `messages_visible_q`, for a query already restricted to the messages this
    user received (joined to their own receipt): delivered, and for a partner releasable to their
    organisation. The inbox uses it so that PostgreSQL walks the user's receipts instead of testing a
    three-branch OR on every message; a test keeps the two rules equal."""
    if Perm.EXCHANGE_USE not in user_perms(user):
        return NOTHING
    delivered = Q(status__in=["sent", "withdrawn"])
    if Role.PARTNER in user.roles:
        field = PARTNER_RELEASABILITY_FIELD.get(user.partner_organisation or "")
        return (delivered & Q(**{field: True})) if field else NOTHING
    return delivered


def message_body_visible(user: Any, message: Any) -> bool:
    """A withdrawn body is kept for the sender (and the audit log), hidden from recipients."""
    return message.status != "withdrawn" or message.sender_id == getattr(user, "pk", None)


# --- seizure and incident records --------------------------------------------------------------
# A draft is its author's and its reporting country's NCPs'. Once submitted, a record is seen by its
# reporting country's NCPs, its author, the recipients recorded at submission (partners only when
# it is releasable to their organisation) and the secretariat (`seizures.view_all`). A withdrawn
# record stays in the recipients' lists with its detail hidden. Everyone with a role sees the
# aggregate statistics, never a record's detail.

for _role in Role:
    ROLE_PERMISSIONS[_role] = ROLE_PERMISSIONS[_role] | {Perm.SEIZURE_STATS}
for _role in (Role.COORDINATOR, Role.ANALYST, Role.ADMIN):
    ROLE_PERMISSIONS[_role] = ROLE_PERMISSIONS[_role] | {Perm.SEIZURE_VIEW_ALL}
ROLE_PERMISSIONS[Role.ANALYST] = ROLE_PERMISSIONS[Role.ANALYST] | {Perm.SEIZURE_REPORT, Perm.SEIZURE_VALIDATE}
ROLE_PERMISSIONS[Role.NCP] = ROLE_PERMISSIONS[Role.NCP] | {Perm.SEIZURE_REPORT}
# Bulk import: the reporting side (NCPs for their country, the analyst for any).
for _role in (Role.NCP, Role.ANALYST):
    ROLE_PERMISSIONS[_role] = ROLE_PERMISSIONS[_role] | {Perm.SEIZURE_IMPORT}

# Licit shipments: the NCPs of the exporting and importing countries, and the secretariat's analysis
# side (coordinator, analyst, admin) for every notification; the analyst notifies on a country's behalf.
for _role in (Role.NCP, Role.COORDINATOR, Role.ANALYST, Role.ADMIN):
    ROLE_PERMISSIONS[_role] = ROLE_PERMISSIONS[_role] | {Perm.SHIPMENT_USE}
for _role in (Role.NCP, Role.ANALYST):
    ROLE_PERMISSIONS[_role] = ROLE_PERMISSIONS[_role] | {Perm.SHIPMENT_NOTIFY}
for _role in (Role.COORDINATOR, Role.ANALYST, Role.ADMIN):
    ROLE_PERMISSIONS[_role] = ROLE_PERMISSIONS[_role] | {Perm.SHIPMENT_VIEW_ALL}

# Entities: pages for those who work with records (what an entity page lists is what the reader
# may see of the linked records); the analysis side confirms "same as" links.
for _role in (Role.NCP, Role.COORDINATOR, Role.ANALYST, Role.ADMIN):
    ROLE_PERMISSIONS[_role] = ROLE_PERMISSIONS[_role] | {Perm.ENTITY_VIEW}
for _role in (Role.COORDINATOR, Role.ANALYST):
    ROLE_PERMISSIONS[_role] = ROLE_PERMISSIONS[_role] | {Perm.ENTITY_LINK}

# Risk screening: NCPs and the analyst screen declaration files; the analyst (and the coordinator)
# configure the rules and the watch lists.
for _role in (Role.NCP, Role.COORDINATOR, Role.ANALYST):
    ROLE_PERMISSIONS[_role] = ROLE_PERMISSIONS[_role] | {Perm.SCREENING_RUN}
for _role in (Role.COORDINATOR, Role.ANALYST):
    ROLE_PERMISSIONS[_role] = ROLE_PERMISSIONS[_role] | {Perm.SCREENING_CONFIGURE}

_SHARED_INCIDENT_STATUSES = ("submitted", "returned", "validated", "withdrawn")


def incidents_visible_q(user: Any) -> Q:
    """The incidents (seizures.Incident) this user may see (listed; detail: `incident_detail_visible`)."""
    perms = user_perms(user)
    if not perms:
        return NOTHING
    q = Q(created_by=user)
    if Perm.SEIZURE_VIEW_ALL in perms:
        q |= Q(status__in=_SHARED_INCIDENT_STATUSES)
    country = user_country(user)
    if country and Perm.SEIZURE_REPORT in perms:
        q |= Q(reporting_country=country)
    # A sub-select, which PostgreSQL hashes once and probes while it walks the list's covering index.
    received_ids = apps.get_model("seizures", "IncidentRecipient").objects.filter(user=user).values("incident_id")
    received = Q(status__in=_SHARED_INCIDENT_STATUSES) & Q(pk__in=received_ids)
    if Role.PARTNER in user.roles:
        field = PARTNER_RELEASABILITY_FIELD.get(user.partner_organisation or "")
        received = (received & Q(**{field: True})) if field else NOTHING
    return q | received


def incident_is_reporting_side(user: Any, incident: Any) -> bool:
    """The author, the NCPs of the reporting country, and the analysts (who report on a country's behalf)."""
    perms = user_perms(user)
    if Perm.SEIZURE_REPORT not in perms:
        return False
    if incident.created_by_id == user.pk or Perm.SEIZURE_VIEW_ALL in perms:
        return True
    country = user_country(user)
    return bool(country) and country == str(incident.reporting_country)


def incident_detail_visible(user: Any, incident: Any) -> bool:
    """A withdrawn record's detail is kept for the reporting side and the secretariat, hidden from recipients."""
    if incident.status != "withdrawn":
        return True
    return incident_is_reporting_side(user, incident) or has_perm(user, Perm.SEIZURE_VIEW_ALL)


def incident_person_names_visible(user: Any, incident: Any, *, name_shared: bool) -> bool:
    """Names of persons involved: the reporting country's NCPs and the record's author always; the
    secretariat's analysts when the reporting country shared the name; nobody else, ever."""
    perms = user_perms(user)
    if not perms:
        return False
    if incident.created_by_id == user.pk:
        return True
    country = user_country(user)
    if country and country == str(incident.reporting_country) and Perm.SEIZURE_REPORT in perms:
        return True
    return name_shared and Perm.SEIZURE_VALIDATE in perms


# --- licit shipments (pre-export notifications) -------------------------------------------------
# A draft is its author's and its exporting country's NCPs'. Once notified, a shipment is also seen
# by the importing country's NCPs (who verify it) and by the secretariat (`shipments.view_all`).
# Transit countries do not see it (the notification is between the exporting and importing
# countries). Partners and donors have no access at all.


def shipments_visible_q(user: Any) -> Q:
    """The shipments (shipments.Shipment) this user may see."""
    perms = user_perms(user)
    if Perm.SHIPMENT_USE not in perms:
        return NOTHING
    q = Q(created_by=user)
    if Perm.SHIPMENT_VIEW_ALL in perms:
        q |= ~Q(status="draft")
    country = user_country(user)
    if country:
        q |= Q(exporting_country=country) | (Q(importing_country=country) & ~Q(status="draft"))
    return q


def shipment_is_exporting_side(user: Any, shipment: Any) -> bool:
    """Who writes the notification: its author, the exporting country's NCPs, and the analyst (who
    notifies on a country's behalf)."""
    perms = user_perms(user)
    if Perm.SHIPMENT_NOTIFY not in perms:
        return False
    if shipment.created_by_id == user.pk or Perm.SHIPMENT_VIEW_ALL in perms:
        return True
    country = user_country(user)
    return bool(country) and country == str(shipment.exporting_country)


def shipment_is_importing_side(user: Any, shipment: Any) -> bool:
    """Who answers the verification: the importing country's NCPs."""
    country = user_country(user)
    return bool(country) and Perm.SHIPMENT_USE in user_perms(user) and country == str(shipment.importing_country)


# --- shared entities ---------------------------------------------------------------------------
# An entity has no access rule of its own: it is seen through the records that name it. A company
# is visible to whoever may see the detail of a record naming it (a seizure's parties; the
# shipments app adds its records through `entities.selectors`), and to the roles that see every
# seizure record (`seizures.view_all`) for all companies. Persons, vehicles and vessels are
# restricted: the secretariat, and the reporting country (and author) of a record naming them.
# Everyone needs `entities.view`; what is not visible is a 404.

RESTRICTED_ENTITY_KINDS = ("person", "vehicle", "vessel")
SHIPMENT_PARTY_FIELDS = ("exporter", "importer", "consignee", "end_user")


def _shipment_parties_q(user: Any) -> Q:
    """The entities named by a shipment this user may see (NOTHING while the shipments app has no
    model or no `shipments_visible_q`: the entities work before it lands)."""
    visible = globals().get("shipments_visible_q")
    try:
        shipment = apps.get_model("shipments", "Shipment")
    except LookupError:
        return NOTHING
    fields = [f for f in SHIPMENT_PARTY_FIELDS if any(x.name == f for x in shipment._meta.get_fields())]
    if visible is None or not fields:
        return NOTHING
    shipments = shipment.objects.filter(visible(user))
    q = NOTHING
    for name in fields:
        q |= Q(pk__in=shipments.filter(**{f"{name}__isnull": False}).values(f"{name}_id"))
    return q


def incidents_detail_visible_q(user: Any) -> Q:
    """`incidents_visible_q` minus the withdrawn records whose detail (their parties) is hidden
    from this reader (`incident_detail_visible`, as a filter)."""
    perms = user_perms(user)
    if Perm.SEIZURE_VIEW_ALL in perms:
        return incidents_visible_q(user)
    reporting = Q(created_by=user)
    country = user_country(user)
    if country and Perm.SEIZURE_REPORT in perms:
        reporting |= Q(reporting_country=country)
    return incidents_visible_q(user) & (~Q(status="withdrawn") | reporting)


def entities_visible_q(user: Any) -> Q:
    """The entities (entities.Entity) this user may open."""
    perms = user_perms(user)
    if Perm.ENTITY_VIEW not in perms:
        return NOTHING
    incident = apps.get_model("seizures", "Incident")
    party = apps.get_model("seizures", "IncidentParty")
    seen = incident.objects.filter(incidents_detail_visible_q(user)).values("pk")
    named = Q(pk__in=party.objects.filter(incident__in=seen).values("entity_id")) | _shipment_parties_q(user)
    restricted = Q(kind__in=RESTRICTED_ENTITY_KINDS)
    companies = ~restricted & (Q() if Perm.SEIZURE_VIEW_ALL in perms else named)
    if is_secretariat(user):
        return companies | restricted
    own = incident.objects.filter(created_by=user)
    country = user_country(user)
    if country and Perm.SEIZURE_REPORT in perms:
        own = incident.objects.filter(Q(created_by=user) | Q(reporting_country=country))
    reported = Q(pk__in=party.objects.filter(incident__in=own.values("pk")).values("entity_id"))
    return companies | (restricted & reported)


# --- screening runs --------------------------------------------------------------------------
# A declarations file is national data: a run is seen by its uploader and by the NCPs of the
# uploader's country (who screen the same country's declarations). The secretariat sees the runs
# it uploaded itself, not the countries' runs; there is no sharing yet.


def screening_runs_visible_q(user: Any) -> Q:
    """The screening runs (screening.ScreeningRun) this user may see."""
    perms = user_perms(user)
    if Perm.SCREENING_RUN not in perms:
        return NOTHING
    q = Q(created_by=user)
    country = user_country(user)
    if country:
        q |= Q(country=country)
    return q


# --- events and operations ---------------------------------------------------------------------
# The secretariat organises (the coordinator, the trainer and the assistant manage events; the analyst
# plans operations with them) and sees every event, drafts included. An NCP sees the events (not drafts)
# their administration is invited to, those they are registered for, and the operations their country
# takes part in (through the operation's closed group); they nominate participants for their country and
# see their own country's registrations, never passport details. A partner sees the events they are
# invited to or registered for. Passport details are for the coordinator and the assistant only.

for _role in (Role.COORDINATOR, Role.ANALYST, Role.TRAINER, Role.ASSISTANT, Role.NCP, Role.PARTNER):
    ROLE_PERMISSIONS[_role] = ROLE_PERMISSIONS[_role] | {Perm.EVENTS_VIEW}
for _role in (Role.COORDINATOR, Role.TRAINER, Role.ASSISTANT):
    ROLE_PERMISSIONS[_role] = ROLE_PERMISSIONS[_role] | {Perm.EVENTS_MANAGE}
ROLE_PERMISSIONS[Role.NCP] = ROLE_PERMISSIONS[Role.NCP] | {Perm.EVENTS_NOMINATE}
for _role in (Role.COORDINATOR, Role.ASSISTANT):
    ROLE_PERMISSIONS[_role] = ROLE_PERMISSIONS[_role] | {Perm.EVENTS_PERSONAL_DATA}
for _role in (Role.COORDINATOR, Role.ANALYST, Role.TRAINER, Role.ASSISTANT):
    ROLE_PERMISSIONS[_role] = ROLE_PERMISSIONS[_role] | {Perm.TRAINING_RECORDS}
for _role in (Role.COORDINATOR, Role.ANALYST, Role.ASSISTANT):
    ROLE_PERMISSIONS[_role] = ROLE_PERMISSIONS[_role] | {Perm.OPERATIONS_MANAGE}

_INVITATION_SENT_STATUSES = ("sent", "nominated", "declined", "no_reply")


def events_visible_q(user: Any) -> Q:
    """The events (events.Event) this user may see."""
    perms = user_perms(user)
    if Perm.EVENTS_VIEW not in perms:
        return NOTHING
    if is_secretariat(user):
        return Q()
    invitation = apps.get_model("events", "Invitation")
    registration = apps.get_model("events", "Registration")
    operation = apps.get_model("events", "Operation")
    invited = invitation.objects.filter(status__in=_INVITATION_SENT_STATUSES)
    mine = Q(recipient__user=user)
    registered = Q(user=user)
    country = user_country(user)
    if country:
        mine |= Q(country=country)
        registered |= Q(country=country)
    event_ids = invited.filter(mine).values("event_id")
    registered_ids = registration.objects.filter(registered).values("event_id")
    membership = apps.get_model("directory", "Membership")
    groups = membership.objects.filter(user=user).values("community_id")
    operations = operation.objects.filter(community__in=groups)
    q = (
        Q(pk__in=event_ids)
        | Q(pk__in=registered_ids)
        | Q(pk__in=operations.values("event_id"))
        | Q(pk__in=operations.exclude(pre_meeting=None).values("pre_meeting_id"))
        | Q(pk__in=operations.exclude(post_meeting=None).values("post_meeting_id"))
    )
    return q & ~Q(status="draft")


def invitations_visible_q(user: Any) -> Q:
    """The invitations (events.Invitation) this user may see: the secretariat all; an NCP those sent
    to their country or addressed to them; anyone else those addressed to them."""
    perms = user_perms(user)
    if Perm.EVENTS_VIEW not in perms:
        return NOTHING
    if is_secretariat(user):
        return Q()
    q = Q(recipient__user=user)
    country = user_country(user)
    if country:
        q |= Q(country=country)
    return q & Q(status__in=_INVITATION_SENT_STATUSES) & ~Q(event__status="draft")


def registrations_visible_q(user: Any) -> Q:
    """The registrations (events.Registration) this user may see: the secretariat all; an NCP their
    own country's and their own; anyone else their own. Passport details: `passport_visible`."""
    perms = user_perms(user)
    if Perm.EVENTS_VIEW not in perms:
        return NOTHING
    if is_secretariat(user):
        return Q()
    q = Q(user=user)
    country = user_country(user)
    if country:
        q |= Q(country=country)
    return q & ~Q(event__status="draft")


def passport_visible(user: Any) -> bool:
    """Passport details are seen by the holders of `events.personal_data` only (never NCPs)."""
    return Perm.EVENTS_PERSONAL_DATA in user_perms(user)


# --- analysis and reporting --------------------------------------------------------------------
# Everyone with a working role sees the dashboards and country profiles; figures are aggregates, and
# record-level detail (lists behind a chart, exports by record) is limited to one's own country except
# for `analysis.all` (coordinator, analyst). Open-source monitoring is the analyst's and the
# coordinator's. The coordinator writes donor reports; the donor, the secretariat and the admin read
# the results framework and the reports.

for _role in (Role.COORDINATOR, Role.ANALYST, Role.TRAINER, Role.ASSISTANT, Role.NCP, Role.PARTNER, Role.DONOR):
    ROLE_PERMISSIONS[_role] = ROLE_PERMISSIONS[_role] | {Perm.ANALYSIS_VIEW}
for _role in (Role.COORDINATOR, Role.ANALYST):
    ROLE_PERMISSIONS[_role] = ROLE_PERMISSIONS[_role] | {Perm.ANALYSIS_ALL, Perm.OSINT_USE, Perm.INDICATORS_EDIT}
for _role in (Role.COORDINATOR, Role.ANALYST, Role.TRAINER, Role.ASSISTANT, Role.DONOR):
    ROLE_PERMISSIONS[_role] = ROLE_PERMISSIONS[_role] | {Perm.REPORTS_VIEW}
ROLE_PERMISSIONS[Role.COORDINATOR] = ROLE_PERMISSIONS[Role.COORDINATOR] | {Perm.REPORTS_WRITE}
