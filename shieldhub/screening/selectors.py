"""Reads of the screening app, scoped to the user (`runs_visible_q`: `core.access.screening_runs_visible_q`
and the runs shared with the secretariat)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from shieldhub.core.access import Perm, has_perm, require, screening_runs_visible_q
from shieldhub.screening.choices import RuleKind
from shieldhub.screening.models import ScreeningHit, ScreeningRule, ScreeningRun, WatchListCountry, WatchListEntity


def rule_list(*, user: Any) -> QuerySet[ScreeningRule]:
    require(user, Perm.SCREENING_RUN)
    return ScreeningRule.objects.order_by("pk")


def rule_get(*, user: Any, pk: Any) -> ScreeningRule:
    require(user, Perm.SCREENING_CONFIGURE, hide=True)
    rule = ScreeningRule.objects.filter(pk=pk).first() if str(pk).isdigit() else None
    rule = rule or ScreeningRule.objects.filter(code=str(pk)).first()
    if rule is None:
        raise Http404
    return rule


def watch_countries(*, user: Any) -> QuerySet[WatchListCountry]:
    require(user, Perm.SCREENING_RUN)
    return WatchListCountry.objects.order_by("country")


def watch_entities(*, user: Any, q: str = "") -> QuerySet[WatchListEntity]:
    require(user, Perm.SCREENING_RUN)
    qs = WatchListEntity.objects.order_by("normalised_name", "pk")
    if q:
        from shieldhub.core.names import normalise_name

        qs = qs.filter(normalised_name__contains=normalise_name(q))
    return qs


def runs_visible_q(user: Any) -> Q:
    """`access.screening_runs_visible_q` (the uploader and the NCPs of the uploader's country), and
    for holders of `screening.configure` (the secretariat's coordinator and analysts) the runs that
    the uploader or an NCP of that country shared with the secretariat, while shared."""
    q = screening_runs_visible_q(user)
    if has_perm(user, Perm.SCREENING_CONFIGURE):
        q |= Q(shared_at__isnull=False)
    return q


def run_list(*, user: Any) -> QuerySet[ScreeningRun]:
    require(user, Perm.SCREENING_RUN)
    return ScreeningRun.objects.filter(runs_visible_q(user)).select_related("created_by", "shared_by")


def run_get(*, user: Any, pk: Any) -> ScreeningRun:
    try:
        return run_list(user=user).get(pk=int(pk))
    except (ScreeningRun.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


SORTS = {"score": ("-score", "line"), "-score": ("score", "line"), "line": ("line",), "-line": ("-line",)}


def run_hits(*, user: Any, run: ScreeningRun, rule: str = "", sort: str = "score") -> QuerySet[ScreeningHit]:
    run = run_get(user=user, pk=run.pk)
    qs = ScreeningHit.objects.filter(run=run)
    if rule and rule in RuleKind.values:
        qs = qs.filter(rules__contains=f"|{rule}|")
    return qs.order_by(*SORTS.get(sort, SORTS["score"]))
