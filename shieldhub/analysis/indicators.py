"""The Programme's results framework: outcomes and outputs with their indicators, actual values
computed from the data (`MEASURES`) or entered by hand with evidence, and progress against targets.

Read with `Perm.REPORTS_VIEW` (secretariat, donor), edited with `Perm.INDICATORS_EDIT`
(coordinator, analyst). A measure is a named function (period_start, period_end) -> number that
reads other apps only through their public aggregate functions (`directory.analytics`,
`exchange.analytics`, `events.analytics`, `shipments.analytics`) or `analysis.measures`:
programme-wide figures, no record detail.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shieldhub.analysis.choices import IndicatorLevel, IndicatorSource
from shieldhub.analysis.models import Indicator, IndicatorValue
from shieldhub.core.access import Perm, require
from shieldhub.core.audit import audit_record, diff, snapshot

Number = Decimal | int | float | None


@dataclass(frozen=True)
class Measure:
    label: str | Promise
    compute: Callable[[dt.date, dt.date], Number]
    unit: str = ""


def _countries_active_ncp(start: dt.date, end: dt.date) -> Number:
    from shieldhub.directory.analytics import countries_with_active_ncp

    return countries_with_active_ncp(on=end)


def _ncps_active(start: dt.date, end: dt.date) -> Number:
    from shieldhub.exchange.analytics import active_ncps

    return active_ncps(start=start, end=end)


def _trained(key: str) -> Callable[[dt.date, dt.date], Number]:
    def compute(start: dt.date, end: dt.date) -> Number:
        from shieldhub.events.analytics import officers_trained

        return officers_trained(start=start, end=end)[key]

    return compute


def _held(kind: str | None) -> Callable[[dt.date, dt.date], Number]:
    def compute(start: dt.date, end: dt.date) -> Number:
        from shieldhub.events.analytics import events_held

        counts = events_held(start=start, end=end)
        return sum(counts.values()) if kind is None else counts.get(kind, 0)

    return compute


def _seizures(start: dt.date, end: dt.date) -> Number:
    from shieldhub.analysis.measures import seizures_submitted

    return seizures_submitted(start=start, end=end)


def _rfi_on_time(start: dt.date, end: dt.date) -> Number:
    """Exchange requests for information (RFI messages) whose deadline fell in the period: the
    share (%) of the answers due that came on or before the deadline."""
    from shieldhub.exchange.analytics import requests_on_time

    share = requests_on_time(start=start, end=end)["share"]
    return None if share is None else Decimal(str(share))


def _verifications_on_time(start: dt.date, end: dt.date) -> Number:
    """Licit-shipment verification requests whose deadline fell in the period (withdrawn ones left
    out): the share (%) answered on or before the deadline; unanswered ones count as not on time."""
    from shieldhub.shipments.analytics import verifications_on_time

    share = verifications_on_time(start=start, end=end)["share"]
    return None if share is None else Decimal(str(share))


MEASURES: dict[str, Measure] = {
    "countries_active_ncp": Measure(gettext_lazy("Countries with an active NCP (at the end of the period)"),
                                    _countries_active_ncp, "countries"),
    "ncps_active_exchange": Measure(gettext_lazy("NCPs who sent or read a message in the period"),
                                    _ncps_active, "NCPs"),
    "officers_trained": Measure(gettext_lazy("Officers trained"), _trained("total"), "officers"),
    "officers_trained_women": Measure(gettext_lazy("Officers trained: women"), _trained("women"), "officers"),
    "officers_trained_men": Measure(gettext_lazy("Officers trained: men"), _trained("men"), "officers"),
    "events_held": Measure(gettext_lazy("Events held (all kinds)"), _held(None), "events"),
    "trainings_held": Measure(gettext_lazy("Trainings held"), _held("training"), "events"),
    "conferences_held": Measure(gettext_lazy("Conferences held"), _held("conference"), "events"),
    "webinars_held": Measure(gettext_lazy("Webinars held"), _held("webinar"), "events"),
    "workshops_held": Measure(gettext_lazy("Workshops held"), _held("workshop"), "events"),
    "meetings_held": Measure(gettext_lazy("Meetings held"), _held("meeting"), "events"),
    "seizures_reported": Measure(gettext_lazy("Seizure records submitted through the Hub"), _seizures, "records"),
    "verifications_on_time": Measure(
        gettext_lazy("Shipment verification requests answered on time (% of those due in the period)"),
        _verifications_on_time, "%"),
    # the exchange's requests for information, not the shipment verifications (OP1.2 used it until issue 6)
    "requests_on_time": Measure(gettext_lazy("Requests for information answered on time (% of those due)"),
                                _rfi_on_time, "%"),
}  # fmt: skip


def measure_choices() -> list[tuple[str, str]]:
    return [("", "—")] + [(key, str(m.label)) for key, m in MEASURES.items()]


def compute(measure: str, start: dt.date, end: dt.date) -> Number:
    """The value of a named measure over a period (None when unknown or not computable)."""
    entry = MEASURES.get(measure)
    return None if entry is None else entry.compute(start, end)


# --- reading -------------------------------------------------------------------------------------


@dataclass
class Line:
    """One line of the framework table with its actual value for the period."""

    indicator: Indicator
    actual: Decimal | None = None
    how: str = ""  # "computed", "manual" or ""
    value: IndicatorValue | None = None  # the hand-entered value used
    progress: int | None = None  # % of the way from baseline to target (0 to 100 for the bar)
    progress_raw: Decimal | None = None  # unclamped
    outputs: list[Line] = field(default_factory=list)

    @property
    def level(self) -> str:
        return self.indicator.level


def default_period() -> tuple[dt.date, dt.date]:
    today = timezone.localdate()
    return dt.date(today.year, 1, 1), today


def indicator_list(*, user: Any) -> QuerySet[Indicator]:
    require(user, Perm.REPORTS_VIEW)
    latest = IndicatorValue.objects.select_related("entered_by").order_by("-period_end", "-pk")
    return Indicator.objects.select_related("parent").prefetch_related(Prefetch("values", queryset=latest))


def indicator_get(*, user: Any, pk: Any) -> Indicator:
    try:
        return indicator_list(user=user).get(pk=int(pk))
    except (Indicator.DoesNotExist, TypeError, ValueError) as exc:
        raise Http404 from exc


def progress_of(indicator: Indicator, actual: Decimal | None) -> Decimal | None:
    if actual is None or indicator.target is None:
        return None
    baseline = indicator.baseline or Decimal(0)
    span = indicator.target - baseline
    if span == 0:
        return Decimal(100) if actual >= indicator.target else Decimal(0)
    return ((actual - baseline) / span * 100).quantize(Decimal("0.1"))


def _as_decimal(value: Number) -> Decimal | None:
    if value is None:
        return None
    return value if isinstance(value, Decimal) else Decimal(str(value))


def line_for(indicator: Indicator, start: dt.date, end: dt.date, cache: dict[str, Number]) -> Line:
    line = Line(indicator=indicator)
    if indicator.source == IndicatorSource.COMPUTED and indicator.measure in MEASURES:
        if indicator.measure not in cache:
            cache[indicator.measure] = compute(indicator.measure, start, end)
        line.actual, line.how = _as_decimal(cache[indicator.measure]), "computed"
    else:
        # values are prefetched newest first: the latest one as of the end of the period
        value = next((v for v in indicator.values.all() if v.period_end <= end), None)
        if value is not None:
            line.actual, line.how, line.value = value.value, "manual", value
    raw = progress_of(indicator, line.actual)
    line.progress_raw = raw
    line.progress = None if raw is None else int(max(Decimal(0), min(Decimal(100), raw)))
    return line


def framework(*, user: Any, start: dt.date, end: dt.date) -> list[Line]:
    """Outcome lines, each with its output lines (`Line.outputs`), with actual values for the period."""
    indicators = list(indicator_list(user=user).order_by("order", "code"))
    cache: dict[str, Number] = {}
    lines = {i.pk: line_for(i, start, end, cache) for i in indicators}
    outcomes = [lines[i.pk] for i in indicators if i.level == IndicatorLevel.OUTCOME]
    for i in indicators:
        if i.level == IndicatorLevel.OUTPUT and i.parent_id in lines:
            lines[i.parent_id].outputs.append(lines[i.pk])
    orphans = [lines[i.pk] for i in indicators if i.level == IndicatorLevel.OUTPUT and i.parent_id not in lines]
    return outcomes + orphans


def flat(lines: list[Line]) -> list[Line]:
    result: list[Line] = []
    for line in lines:
        result.append(line)
        result.extend(line.outputs)
    return result


# --- writing -------------------------------------------------------------------------------------

FIELDS = ("level", "parent", "code", "title_en", "title_fr", "indicator_en", "indicator_fr", "unit",
          "baseline", "target", "period_start", "period_end", "source", "measure", "order")  # fmt: skip


def _check(indicator: Indicator) -> None:
    errors: dict[str, str] = {}
    if indicator.level == IndicatorLevel.OUTCOME and indicator.parent_id:
        errors["parent"] = _("An outcome has no parent.")
    if indicator.level == IndicatorLevel.OUTPUT:
        if not indicator.parent_id:
            errors["parent"] = _("Choose the outcome this output contributes to.")
        elif indicator.parent is not None and indicator.parent.level != IndicatorLevel.OUTCOME:
            errors["parent"] = _("An output belongs to an outcome.")
    if indicator.source == IndicatorSource.COMPUTED and indicator.measure not in MEASURES:
        errors["measure"] = _("Choose the computation that gives the value.")
    if indicator.source == IndicatorSource.MANUAL:
        indicator.measure = ""
    if indicator.period_start and indicator.period_end and indicator.period_end < indicator.period_start:
        errors["period_end"] = _("The period ends before it starts.")
    if errors:
        raise ValidationError(errors)


def indicator_save(*, actor: Any, data: dict[str, Any], indicator: Indicator | None = None) -> Indicator:
    """Create (`indicator` None) or change a line of the framework."""
    require(actor, Perm.INDICATORS_EDIT)
    creating = indicator is None
    target = indicator if indicator is not None else Indicator()
    before = None if creating else snapshot(target)
    for name in FIELDS:
        if name in data:
            setattr(target, name, data[name])
    _check(target)
    target.full_clean()
    with transaction.atomic():
        target.save()
        after = snapshot(target)
        audit_record(
            actor=actor, action="analysis.indicator_create" if creating else "analysis.indicator_update",
            obj=target, changes=diff(before, after),
        )  # fmt: skip
    return target


def indicator_delete(*, actor: Any, indicator: Indicator) -> None:
    require(actor, Perm.INDICATORS_EDIT)
    with transaction.atomic():
        audit_record(
            actor=actor, action="analysis.indicator_delete", obj=indicator, changes=diff(snapshot(indicator), None)
        )
        indicator.delete()


def indicator_value_add(
    *, actor: Any, indicator: Indicator, period_end: dt.date, value: Decimal, evidence: str = ""
) -> IndicatorValue:
    """A value entered by hand (as of `period_end`) with its evidence."""
    require(actor, Perm.INDICATORS_EDIT)
    entry = IndicatorValue(indicator=indicator, period_end=period_end, value=value, evidence=evidence.strip(),
                           entered_by=actor)  # fmt: skip
    if not entry.evidence:
        raise ValidationError({"evidence": _("Say where the value comes from (document, meeting, survey).")})
    entry.full_clean()
    with transaction.atomic():
        entry.save()
        audit_record(actor=actor, action="analysis.indicator_value_add", obj=entry, changes=diff(None, snapshot(entry)))
    return entry


def indicator_value_delete(*, actor: Any, value: IndicatorValue) -> None:
    require(actor, Perm.INDICATORS_EDIT)
    with transaction.atomic():
        audit_record(
            actor=actor, action="analysis.indicator_value_delete", obj=value, changes=diff(snapshot(value), None)
        )
        value.delete()


# --- the default framework -------------------------------------------------------------------------

D = Decimal
DEFAULT_FRAMEWORK: list[dict[str, Any]] = [
    {"code": "OC1", "level": "outcome", "title_en": "Customs administrations cooperate to stop the diversion of IED precursors",
     "title_fr": "Les administrations douanières coopèrent pour empêcher le détournement des précurseurs d'EEI",
     "indicator_en": "Number of countries with an active NCP", "indicator_fr": "Nombre de pays ayant un PCN actif",
     "unit": "countries", "baseline": D(40), "target": D(100), "source": "computed", "measure": "countries_active_ncp"},
    {"code": "OP1.1", "level": "output", "parent": "OC1", "title_en": "The NCP network is active in the secure exchange",
     "title_fr": "Le réseau des PCN est actif dans l'échange sécurisé",
     "indicator_en": "Number of NCPs who sent or read a message in the period",
     "indicator_fr": "Nombre de PCN ayant envoyé ou lu un message au cours de la période",
     "unit": "NCPs", "baseline": D(20), "target": D(120), "source": "computed", "measure": "ncps_active_exchange"},
    {"code": "OP1.2", "level": "output", "parent": "OC1", "title_en": "Verification requests are answered in time",
     "title_fr": "Les demandes de vérification reçoivent une réponse dans les délais",
     "indicator_en": "Share of verification requests answered on time",
     "indicator_fr": "Part des demandes de vérification ayant reçu une réponse dans les délais",
     "unit": "%", "baseline": D(35), "target": D(80), "source": "computed", "measure": "verifications_on_time"},
    {"code": "OP1.3", "level": "output", "parent": "OC1", "title_en": "Seizures are reported through the Hub",
     "title_fr": "Les saisies sont déclarées via la plateforme",
     "indicator_en": "Seizures of IED precursors reported through the Hub",
     "indicator_fr": "Saisies de précurseurs d'EEI déclarées via la plateforme",
     "unit": "records", "baseline": D(0), "target": D(300), "source": "computed", "measure": "seizures_reported"},
    {"code": "OP1.4", "level": "output", "parent": "OC1", "title_en": "Countries adopt the Programme's risk indicators",
     "title_fr": "Les pays adoptent les indicateurs de risque du Programme",
     "indicator_en": "Number of administrations using the PGS risk indicators in their targeting",
     "indicator_fr": "Nombre d'administrations utilisant les indicateurs de risque PGS pour le ciblage",
     "unit": "administrations", "baseline": D(5), "target": D(40), "source": "manual"},
    {"code": "OC2", "level": "outcome", "title_en": "Customs officers have the skills to detect IED precursors",
     "title_fr": "Les agents des douanes ont les compétences pour détecter les précurseurs d'EEI",
     "indicator_en": "Share of trained officers reporting use of the skills six months later",
     "indicator_fr": "Part des agents formés déclarant utiliser leurs compétences six mois plus tard",
     "unit": "%", "baseline": D(0), "target": D(70), "source": "manual"},
    {"code": "OP2.1", "level": "output", "parent": "OC2", "title_en": "Customs officers are trained",
     "title_fr": "Des agents des douanes sont formés",
     "indicator_en": "Number of customs officers trained", "indicator_fr": "Nombre d'agents des douanes formés",
     "unit": "officers", "baseline": D(0), "target": D(600), "source": "computed", "measure": "officers_trained"},
    {"code": "OP2.2", "level": "output", "parent": "OC2", "title_en": "Women officers are trained",
     "title_fr": "Des agentes sont formées",
     "indicator_en": "Number of customs officers trained, of whom women",
     "indicator_fr": "Nombre d'agents des douanes formés, dont femmes",
     "unit": "officers", "baseline": D(0), "target": D(200), "source": "computed", "measure": "officers_trained_women"},
    {"code": "OP2.3", "level": "output", "parent": "OC2", "title_en": "Trainings and conferences are held",
     "title_fr": "Des formations et des conférences sont organisées",
     "indicator_en": "Number of events held (trainings, conferences, webinars, workshops)",
     "indicator_fr": "Nombre d'événements organisés (formations, conférences, webinaires, ateliers)",
     "unit": "events", "baseline": D(0), "target": D(24), "source": "computed", "measure": "events_held"},
    {"code": "OP2.4", "level": "output", "parent": "OC2", "title_en": "Detection equipment is delivered",
     "title_fr": "Des équipements de détection sont livrés",
     "indicator_en": "Number of handheld detection devices delivered to customs",
     "indicator_fr": "Nombre d'appareils portatifs de détection livrés aux douanes",
     "unit": "devices", "baseline": D(0), "target": D(50), "source": "manual"},
]  # fmt: skip


def load_default_framework(*, actor: Any, period: tuple[dt.date, dt.date] | None = None) -> list[Indicator]:
    """Create the Programme's default framework (lines whose code exists are left alone)."""
    start, end = period or (
        dt.date(timezone.localdate().year - 1, 1, 1),
        dt.date(timezone.localdate().year + 1, 12, 31),
    )
    created: list[Indicator] = []
    codes = {i.code: i for i in Indicator.objects.all()}
    for order, row in enumerate(DEFAULT_FRAMEWORK, start=1):
        if row["code"] in codes:
            continue
        data = {**row, "order": order * 10, "period_start": start, "period_end": end}
        data["parent"] = codes.get(row["parent"]) if row.get("parent") else None
        indicator = indicator_save(actor=actor, data=data)
        codes[indicator.code] = indicator
        created.append(indicator)
    return created
