"""Every write to the shared entities."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries import countries as country_registry

from shieldhub.core.access import Perm, require
from shieldhub.core.audit import audit_record, diff, snapshot
from shieldhub.core.names import NameIndex
from shieldhub.core.names import normalise_name as core_normalise_name
from shieldhub.entities.models import Entity, EntityKind, EntityLink, LinkStatus

logger = logging.getLogger(__name__)

_SPACES = re.compile(r"\s+")
MAX_IDENTIFIER = 100


def _normalise(name: str) -> str:
    """Case, accents, punctuation and legal forms: `core.names.normalise_name`."""
    return core_normalise_name(name)


def normalise_name(name: str) -> str:
    return _normalise(name)


def _clean_identifiers(value: Any) -> dict[str, str]:
    if not value:
        return {}
    if not isinstance(value, dict):
        raise ValidationError({"identifiers": _("Identifiers are pairs of a label and a value.")})
    cleaned: dict[str, str] = {}
    for key, item in value.items():
        key, text = str(key).strip()[:40], str(item or "").strip()
        if not key or not text:
            continue
        if len(text) > MAX_IDENTIFIER:
            raise ValidationError({"identifiers": _("An identifier is at most 100 characters long.")})
        cleaned[key] = text
    return cleaned


@transaction.atomic
def entity_find_or_create(
    *, actor: Any, name: str, country: str = "", kind: str = EntityKind.COMPANY, identifiers: Any = None
) -> tuple[Entity, bool]:
    """The entity with this normalised name, kind and country, created if there is none.

    Permission is the caller's concern: entities are created as part of a record the actor may
    write (a seizure's parties). New identifiers are added to an existing entity, never replaced.
    """
    name = _SPACES.sub(" ", (name or "").strip())
    if not name:
        raise ValidationError({"name": _("Give the name.")})
    if len(name) > 300:
        raise ValidationError({"name": _("A name is at most 300 characters long.")})
    code = (country or "").strip().upper()
    if code and code not in country_registry:
        raise ValidationError({"country": _("Unknown country code: %(codes)s.") % {"codes": code}})
    if kind not in EntityKind.values:
        raise ValidationError({"kind": _("Unknown kind of entity.")})
    normalised = _normalise(name)
    found_ids = _clean_identifiers(identifiers)
    entity = (
        Entity.objects.select_for_update()
        .filter(kind=kind, normalised_name=normalised, country=code)
        .order_by("pk")
        .first()
    )
    if entity is not None:
        added = {k: v for k, v in found_ids.items() if k not in entity.identifiers}
        if added:
            before = snapshot(entity, ["identifiers"])
            entity.identifiers = {**entity.identifiers, **added}
            entity.save(update_fields=["identifiers"])
            audit_record(
                actor=actor, action="entities.entity_update", obj=entity,
                changes=diff(before, snapshot(entity, ["identifiers"])),
            )  # fmt: skip
        return entity, False
    entity = Entity(
        kind=kind, name=name, normalised_name=normalised, country=code, identifiers=found_ids,
        created_by=actor if getattr(actor, "pk", None) else None,
    )  # fmt: skip
    entity.full_clean(exclude=["created_by"])
    entity.save()
    audit_record(actor=actor, action="entities.entity_create", obj=entity, changes=diff(None, snapshot(entity)))
    transaction.on_commit(lambda: _enqueue_suggestions(entity.pk))
    return entity, True


def _enqueue_suggestions(entity_id: int) -> None:
    """After the record naming a new entity is saved: look for names like it, in the background."""
    from shieldhub.entities.tasks import entity_suggest_links

    try:
        entity_suggest_links.enqueue(entity_id=entity_id)
    except Exception:  # a suggestion is a convenience: the daily pass will find it anyway
        logger.exception("Could not enqueue the suggestions for entity %s", entity_id)


# --- "same as" links ----------------------------------------------------------------------------

SUGGEST_CUTOFF = 90  # NameIndex score (0 to 100) from which two names are suggested as the same
MAX_NOTE = 1000


def _ordered(first: int, second: int) -> tuple[int, int]:
    return (first, second) if first < second else (second, first)


def _countries_compatible(first: str, second: str) -> bool:
    """Same country, or one of them unknown."""
    return not first or not second or first == second


def _existing_pairs(ids: Iterable[int] | None = None) -> set[tuple[int, int]]:
    qs = EntityLink.objects.all()
    if ids is not None:
        id_list = list(ids)
        qs = qs.filter(Q(entity_a__in=id_list) | Q(entity_b__in=id_list))
    return set(qs.values_list("entity_a_id", "entity_b_id"))


def _create_suggestions(pairs: list[tuple[int, int, float]], *, actor: Any = None) -> list[EntityLink]:
    """New suggestions for pairs that have no link yet (a rejected pair is never suggested again)."""
    if not pairs:
        return []
    from shieldhub.entities.clusters import confirmed_clusters

    ids = {i for a, b, _score in pairs for i in (a, b)}
    known = _existing_pairs(ids)
    cluster_of = confirmed_clusters(ids)
    now = timezone.now()
    links: dict[tuple[int, int], EntityLink] = {}
    for a, b, score in pairs:
        key = _ordered(a, b)
        if key in known or key in links or a == b:
            continue
        if cluster_of.get(a, frozenset({a})) == cluster_of.get(b, frozenset({b})):
            continue  # already the same through confirmed links
        links[key] = EntityLink(entity_a_id=key[0], entity_b_id=key[1], score=score, suggested_at=now,
                                suggested_by=actor if getattr(actor, "pk", None) else None)  # fmt: skip
    created = EntityLink.objects.bulk_create(list(links.values()), ignore_conflicts=True)
    return created


def _index_pairs(entities: list[tuple[int, str, str]], cutoff: float) -> list[tuple[int, int, float]]:
    """Likely duplicates among (pk, name, country) of one kind: NameIndex pairs whose countries are
    the same or unknown (legal forms are already left out of the normalised names)."""
    country = {pk: code for pk, _name, code in entities}
    index = NameIndex((pk, name) for pk, name, _code in entities)
    return [
        (int(a), int(b), score)  # type: ignore[call-overload]
        for a, b, score in index.pairs(cutoff=cutoff)
        if _countries_compatible(country[a], country[b])  # type: ignore[index]
    ]


@transaction.atomic
def suggest_links(*, actor: Any = None, cutoff: float = SUGGEST_CUTOFF) -> list[EntityLink]:
    """The suggestion pass over every entity, kind by kind (the daily task; idempotent: pairs that
    already have a link, whatever its status, are left alone). One audit entry for the pass."""
    created: list[EntityLink] = []
    for kind in EntityKind.values:
        rows = [(pk, name, str(code or "")) for pk, name, code in
                Entity.objects.filter(kind=kind).order_by("pk").values_list("pk", "name", "country")]  # fmt: skip
        if len(rows) > 1:
            created += _create_suggestions(_index_pairs(rows, cutoff), actor=actor)
    if created:
        audit_record(
            actor=actor, action="entities.links_suggest", object_type="entities.entitylink",
            object_repr=f"{len(created)} suggestions",
            extra={"links": [[link.entity_a_id, link.entity_b_id, link.score] for link in created][:500],
                   "count": len(created)},
        )  # fmt: skip
    return created


@transaction.atomic
def suggest_links_for(*, entity: Entity, actor: Any = None, cutoff: float = SUGGEST_CUTOFF) -> list[EntityLink]:
    """Suggestions for one (new) entity: the names of its kind close to its own, in the same country
    or with no country (or any country when its own is unknown)."""
    others = Entity.objects.filter(kind=entity.kind).exclude(pk=entity.pk)
    if entity.country:
        others = others.filter(country__in=[str(entity.country), ""])
    index = NameIndex(others.order_by("pk").values_list("pk", "name"))
    pairs = [(entity.pk, int(pk), score) for pk, score, _n in index.lookup(entity.name, limit=20, cutoff=cutoff)]  # type: ignore[call-overload]
    created = _create_suggestions(pairs, actor=actor)
    if created:
        audit_record(
            actor=actor, action="entities.links_suggest", obj=entity,
            extra={"links": [[link.entity_a_id, link.entity_b_id, link.score] for link in created],
                   "count": len(created)},
        )  # fmt: skip
    return created


@transaction.atomic
def link_propose(*, actor: Any, entity_a: Entity, entity_b: Entity, note: str = "") -> EntityLink:
    """A person suggests that two entities are the same (someone with `entities.link` decides)."""
    require(actor, Perm.ENTITY_LINK)
    if entity_a.pk == entity_b.pk:
        raise ValidationError({"entity_b": _("An entity is already the same as itself.")})
    if entity_a.kind != entity_b.kind:
        raise ValidationError({"entity_b": _("Only entities of the same kind can be the same.")})
    first, second = _ordered(entity_a.pk, entity_b.pk)
    link, created = EntityLink.objects.select_for_update().get_or_create(
        entity_a_id=first, entity_b_id=second,
        defaults={"score": 0, "suggested_by": actor, "note": (note or "").strip()[:MAX_NOTE]},
    )  # fmt: skip
    if created:
        audit_record(actor=actor, action="entities.link_suggest", obj=link, changes=diff(None, snapshot(link)))
    return link


@transaction.atomic
def link_decide(*, actor: Any, link: EntityLink, status: str, note: str = "") -> EntityLink:
    """Confirm or reject a "same as" link (a decision can be changed: confirmed links can be
    rejected again when they prove wrong)."""
    require(actor, Perm.ENTITY_LINK)
    if status not in (LinkStatus.CONFIRMED, LinkStatus.REJECTED):
        raise ValidationError({"status": _("Confirm or reject the link.")})
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise ValidationError({"note": _("A note is at most 1,000 characters long.")})
    link = EntityLink.objects.select_for_update().get(pk=link.pk)
    if link.status == status:
        raise ValidationError({"status": _("The link already has this status.")})
    fields = ["status", "decided_by", "decided_at", "note"]
    before = snapshot(link, fields)
    link.status = status
    link.decided_by = actor
    link.decided_at = timezone.now()
    if note:
        link.note = note
    link.save(update_fields=fields)
    verb = "confirm" if status == LinkStatus.CONFIRMED else "reject"
    audit_record(
        actor=actor, action=f"entities.link_{verb}", obj=link, changes=diff(before, snapshot(link, fields)),
        extra={"entity_a": link.entity_a_id, "entity_b": link.entity_b_id},
    )  # fmt: skip
    return link


MANUAL_DECISIONS = {"same": LinkStatus.CONFIRMED, "not_same": LinkStatus.REJECTED}


@transaction.atomic
def link_set(*, actor: Any, entity: Entity, other: Entity, decision: str, note: str = "") -> EntityLink:
    """A person with `entities.link` says directly that two entities are the same ("same") or not
    ("not_same"), without waiting for a suggestion. The pair's one link row is created decided, or
    an existing one (suggested, or decided the other way) gets the new decision; undoing is the
    opposite decision. Audited as `entities.link_confirm` / `entities.link_reject` with
    `manual: true`. Both entities must be visible to the caller (the views and API get them
    through `selectors.entity_get`)."""
    require(actor, Perm.ENTITY_LINK)
    status = MANUAL_DECISIONS.get(decision)
    if status is None:
        raise ValidationError({"decision": _("Say whether the two entities are the same or not.")})
    if entity.pk == other.pk:
        raise ValidationError({"other": _("An entity cannot be linked to itself.")})
    if entity.kind != other.kind:
        raise ValidationError(
            {"other": _("Only entities of the same kind can be the same: %(a)s is a %(kind_a)s, %(b)s a %(kind_b)s.")
             % {"a": entity.name, "kind_a": entity.get_kind_display().lower(), "b": other.name,
                "kind_b": other.get_kind_display().lower()}}
        )  # fmt: skip
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise ValidationError({"note": _("A note is at most 1,000 characters long.")})
    first, second = _ordered(entity.pk, other.pk)
    link = EntityLink.objects.select_for_update().filter(entity_a_id=first, entity_b_id=second).first()
    if link is not None:
        if link.status == status:
            raise ValidationError({"decision": _("These two entities are already marked this way.")})
        return link_decide(actor=actor, link=link, status=status, note=note)
    found = NameIndex([(other.pk, other.name)]).lookup(entity.name, limit=1, cutoff=0)
    link = EntityLink(
        entity_a_id=first, entity_b_id=second, status=status, score=round(found[0][1], 1) if found else 0,
        suggested_by=actor, decided_by=actor, decided_at=timezone.now(), note=note,
    )  # fmt: skip
    link.full_clean()
    link.save()
    verb = "confirm" if status == LinkStatus.CONFIRMED else "reject"
    audit_record(
        actor=actor, action=f"entities.link_{verb}", obj=link, changes=diff(None, snapshot(link)),
        extra={"entity_a": first, "entity_b": second, "manual": True},
    )  # fmt: skip
    return link


def entities_renormalise(*, actor: Any = None, batch: int = 2000) -> int:
    """Recompute the stored normalised names (after a change to `core.names`); returns how many
    changed. Idempotent; used by the `entities_renormalise` command and the daily task. Not a data
    migration: a migration must not import application code that will change after it."""
    changed = 0
    last = 0
    while True:
        rows = list(
            Entity.objects.filter(pk__gt=last).order_by("pk").values_list("pk", "name", "normalised_name")[:batch]
        )
        if not rows:
            break
        last = rows[-1][0]
        stale = [(pk, _normalise(name)) for pk, name, stored in rows if _normalise(name) != stored]
        if stale:
            with transaction.atomic():
                Entity.objects.bulk_update(
                    [Entity(pk=pk, normalised_name=value) for pk, value in stale], ["normalised_name"]
                )
                audit_record(
                    actor=actor, action="entities.renormalise", object_type="entities.entity",
                    object_repr=f"{len(stale)} names", extra={"ids": [pk for pk, _v in stale][:1000]},
                )  # fmt: skip
            changed += len(stale)
    return changed
