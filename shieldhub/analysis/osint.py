"""Open-source monitoring: the feeds the analyst follows, the items collected from them or entered
by hand or uploaded, their tags, their grouping into stories, and the triage.

Everything here is for holders of `analysis.osint` (coordinator, analyst); anyone else gets 403 on
lists and 404 on a single record. Reads are `source_list/_get`, `item_list/_get`; writes are the
services below (permission, `full_clean`, one transaction, an audit entry).

Tagging (`tag_text`): the catalogue items and HS codes come from `reference.matching.GoodsMatcher`
(names and synonyms in EN/FR/ES, formulas, CAS and UN numbers, HS codes written in the text);
countries come from the reference Country table (`reference.selectors.country_names`: English and
French names) plus a short list of usual forms and demonyms (`COUNTRY_ALIASES`: "DRC", "Ivory
Coast", "Kenyan", "nigérian"...). Names are found on whole words, accents and case ignored, the
longest name first ("Papua New Guinea" is not Guinea, "Guinée équatoriale" not Guinée). Names that
are also ordinary words or first names (`AMBIGUOUS`: Chad, Jordan, Turkey, China, Guinea, Niger,
Georgia...) count only written with a capital and not next to another capitalised word that makes
them a person's name ("Chad Smith", "Michael Jordan"), and "guinea pig/fowl", "turkey meat" never count.

Grouping (`_group_for`): each new item is compared with the items collected in the last
`OSINT_GROUP_DAYS` days (default 7): a fingerprint (hash of the folded title and text) catches
exact copies; otherwise rapidfuzz's token-set ratio between the folded title and first 60 words
of the text (stop words removed) at `OSINT_GROUP_THRESHOLD` (default 75) or more, with at least
four words and 30% of the words in common, joins the item to the other's group. `group` points to the group's first
item (the first item has no group); the list shows one row per group with "n similar"; triage
applies to the whole group.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
import time
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Count, F, Q, QuerySet, TextField
from django.db.models.functions import Cast
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from rapidfuzz import fuzz

from shieldhub.analysis import feeds
from shieldhub.analysis.choices import ItemStatus, SourceKind
from shieldhub.analysis.models import OsintItem, OsintSource
from shieldhub.core.access import Perm, has_perm, require
from shieldhub.core.audit import audit_record
from shieldhub.reference.text import fold

DEFAULT_GROUP_DAYS = 7
DEFAULT_GROUP_THRESHOLD = 75
GROUP_CANDIDATES = 1000
MIN_SHARED_WORDS = 0.3
MAX_UPLOAD_BYTES = 2 * 1024 * 1024
MAX_UPLOAD_ROWS = 2000
UPLOAD_COLUMNS = ("url", "title", "text", "date", "language")
SOURCE_FIELDS = ("name", "url", "language", "is_active", "interval_minutes")
ITEM_FIELDS = ("url", "title", "text", "published_at", "language")
LANGUAGES = ("en", "fr", "es", "ar", "pt", "ru", "zh", "de", "it", "")


# --- access -----------------------------------------------------------------------------------


def _require(user: Any, *, hide: bool = False) -> None:
    require(user, Perm.OSINT_USE, hide=hide)


# --- selectors --------------------------------------------------------------------------------


def source_list(*, user: Any) -> QuerySet[OsintSource]:
    _require(user)
    return OsintSource.objects.annotate(n_items=Count("items")).order_by("-is_active", "name")


def source_get(*, user: Any, pk: Any) -> OsintSource:
    _require(user, hide=True)
    try:
        return OsintSource.objects.get(pk=int(pk))
    except (OsintSource.DoesNotExist, TypeError, ValueError):
        raise Http404 from None


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _day(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return parse_date(str(value or ""))
    except ValueError:
        return None


def item_list(*, user: Any, filters: dict[str, Any] | None = None, grouped: bool = True) -> QuerySet[OsintItem]:
    """The items, newest first; `grouped`: one row per story (the group's first item) with
    `n_similar`. Filters: status, precursor (catalogue id), country (ISO code), source (id),
    date_from, date_to (published, else collected), q (words in the title or text)."""
    _require(user)
    filters = filters or {}
    qs = OsintItem.objects.all()
    if grouped:
        qs = qs.filter(group__isnull=True)
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    if filters.get("precursor") not in (None, ""):
        item = _int(filters["precursor"])
        qs = qs.filter(catalogue_items=item) if item is not None else qs.none()
    if filters.get("country"):
        code = str(filters["country"]).strip().upper()[:2]
        qs = qs.annotate(countries_text=Cast("countries", TextField())).filter(countries_text__contains=f'"{code}"')
    if filters.get("source") not in (None, ""):
        source = _int(filters["source"])
        qs = qs.filter(source_id=source) if source is not None else qs.none()
    when = Q(published_at__isnull=False)
    start, end = _day(filters.get("date_from")), _day(filters.get("date_to"))
    if start:
        qs = qs.filter((when & Q(published_at__date__gte=start)) | (~when & Q(fetched_at__date__gte=start)))
    if end:
        qs = qs.filter((when & Q(published_at__date__lte=end)) | (~when & Q(fetched_at__date__lte=end)))
    if filters.get("q"):
        for word in str(filters["q"]).split()[:8]:
            qs = qs.filter(Q(title__icontains=word) | Q(text__icontains=word))
    if grouped:
        qs = qs.annotate(n_similar=Count("duplicates", distinct=True))
    return (
        qs.select_related("source", "triaged_by")
        .prefetch_related("catalogue_items")
        .defer("text")
        .order_by(F("published_at").desc(nulls_last=True), "-fetched_at", "-pk")
    )


def item_get(*, user: Any, pk: Any) -> OsintItem:
    _require(user, hide=True)
    try:
        return (
            OsintItem.objects.select_related("source", "triaged_by", "entered_by", "group", "seizure", "message")
            .prefetch_related("catalogue_items")
            .get(pk=int(pk))
        )
    except (OsintItem.DoesNotExist, TypeError, ValueError):
        raise Http404 from None


def item_group(*, user: Any, item: OsintItem) -> list[OsintItem]:
    """The other items of the item's story, oldest first."""
    _require(user, hide=True)
    head = item.group_id or item.pk
    return list(
        OsintItem.objects.filter(Q(pk=head) | Q(group_id=head))
        .exclude(pk=item.pk)
        .select_related("source")
        .defer("text")
        .order_by("fetched_at", "pk")
    )


# --- tagging ----------------------------------------------------------------------------------

# Usual forms and demonyms (EN/FR) that the reference names do not cover.
COUNTRY_ALIASES: dict[str, tuple[str, ...]] = {
    "CD": ("DRC", "DR Congo", "Democratic Republic of the Congo", "Democratic Republic of Congo", "RDC",
           "RD Congo", "République démocratique du Congo", "Congo-Kinshasa", "Congolese", "congolais", "congolaise"),
    "CG": ("Republic of the Congo", "Congo-Brazzaville", "République du Congo"),
    "CI": ("Ivory Coast", "Cote d'Ivoire", "ivoirien", "ivoirienne", "Ivorian"),
    "GB": ("UK", "Britain", "Great Britain", "British", "Royaume-Uni", "britannique"),
    "US": ("USA", "United States of America", "American", "États-Unis", "Etats-Unis", "américain", "américaine"),
    "RU": ("Russia", "Russian", "Russie", "russe"),
    "IR": ("Iran", "Iranian", "iranien", "iranienne"),
    "SY": ("Syria", "Syrian", "Syrie", "syrien", "syrienne"),
    "KR": ("South Korea", "Corée du Sud"),
    "KP": ("North Korea", "Corée du Nord"),
    "TZ": ("Tanzanian", "tanzanien", "tanzanienne"),
    "KE": ("Kenyan", "kényan", "kényane", "kenyan"),
    "NG": ("Nigerian", "nigérian", "nigériane"),
    "NE": ("nigérien", "nigérienne"),
    "ML": ("Malian", "malien", "malienne"),
    "BF": ("Burkinabe", "Burkinabè", "burkinabé"),
    "SN": ("Senegalese", "sénégalais", "sénégalaise"),
    "GH": ("Ghanaian", "ghanéen", "ghanéenne"),
    "CM": ("Cameroonian", "camerounais", "camerounaise"),
    "FR": ("French", "français", "française"),
    "DE": ("German", "allemand", "allemande"),
    "ES": ("Spanish", "espagnol", "espagnole"),
    "IT": ("Italian", "italien", "italienne"),
    "NL": ("Netherlands", "Holland", "Dutch", "néerlandais", "néerlandaise"),
    "BE": ("Belgian", "belge"),
    "PK": ("Pakistani", "pakistanais", "pakistanaise"),
    "AF": ("Afghan", "afghan", "afghane"),
    "IQ": ("Iraqi", "irakien", "irakienne"),
    "IN": ("Indian", "indien", "indienne"),
    "CN": ("Chinese", "chinois", "chinoise"),
    "TR": ("Türkiye", "Turkish", "turc", "turque"),
    "MA": ("Moroccan", "marocain", "marocaine"),
    "DZ": ("Algerian", "algérien", "algérienne"),
    "TN": ("Tunisian", "tunisien", "tunisienne"),
    "EG": ("Egyptian", "égyptien", "égyptienne"),
    "SO": ("Somali", "somalien", "somalienne"),
    "UA": ("Ukrainian", "ukrainien", "ukrainienne"),
    "VN": ("Vietnam", "Viet Nam", "Vietnamese"),
    "LA": ("Laos",),
    "BO": ("Bolivia", "Bolivie"),
    "VE": ("Venezuela",),
    "MD": ("Moldova", "Moldavie"),
    "MX": ("Mexican", "mexicain", "mexicaine"),
    "CO": ("Colombian", "colombien", "colombienne"),
    "BR": ("Brazilian", "brésilien", "brésilienne"),
}  # fmt: skip

# Names that are also ordinary words or first names: counted only with a capital, and not as part of
# a person's name. (Folded form.)
AMBIGUOUS = frozenset({"chad", "tchad", "jordan", "jordanie", "turkey", "china", "chine", "guinea", "niger",
                       "georgia", "georgie", "jersey", "chile", "malta", "french", "american", "british",
                       "german", "spanish", "indian", "chinese", "turkish", "dutch", "russian", "afghan"})  # fmt: skip
# Phrases where a country name means something else (folded).
NOT_COUNTRIES = ("guinea pig", "guinea fowl", "guinea pigs", "guinea fowls", "turkey meat", "new guinea",
                 "french fries", "indian ocean", "chinese new year", "niger river", "fleuve niger",
                 "china clay", "american samoa")  # fmt: skip

_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*", re.UNICODE)


def _deaccent(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.replace("’", "'"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@dataclass
class _CountryIndex:
    pattern: re.Pattern[str] | None
    codes: dict[str, str]  # folded name → code


_CACHE: dict[str, tuple[float, Any, Any]] = {}
_CACHE_SECONDS = 300.0


def _country_index() -> _CountryIndex:
    from shieldhub.reference.selectors import country_names

    rows = country_names()
    key = hashlib.sha256(repr(rows[:3] + rows[-3:]).encode() + str(len(rows)).encode()).hexdigest()
    cached = _CACHE.get("countries")
    if cached and cached[1] == key and time.monotonic() - cached[0] < _CACHE_SECONDS:
        return cached[2]  # type: ignore[no-any-return]
    codes: dict[str, str] = {}
    ambiguous_names: set[str] = set()
    for code, name_en, name_fr in rows:
        for name in (name_en, name_fr):
            folded = fold(name)
            if not folded:
                continue
            if "," in folded:  # "tanzania, united republic of": the part before the comma, if no other
                folded = folded.split(",")[0].strip()  # country has it ("congo" is two countries)
            if folded in codes and codes[folded] != code:
                ambiguous_names.add(folded)
            codes.setdefault(folded, code)
    for code, aliases in COUNTRY_ALIASES.items():
        if not any(c == code for c, _en, _fr in rows):
            continue
        for alias in aliases:
            codes.setdefault(fold(alias), code)
            if len(alias) > 4 and (alias[0].islower() or alias.endswith(("an", "ese", "i"))):  # demonyms: plural
                codes.setdefault(fold(alias) + "s", code)
    for name in ambiguous_names:
        codes.pop(name, None)
    names = sorted(codes, key=len, reverse=True)
    pattern = (
        re.compile(r"(?<![\w-])(" + "|".join(re.escape(n) for n in names) + r")(?![\w-])", re.IGNORECASE)
        if names
        else None
    )
    index = _CountryIndex(pattern=pattern, codes=codes)
    _CACHE["countries"] = (time.monotonic(), key, index)
    return index


_LINK_WORDS = frozenset({"in", "en", "au", "from", "to", "of", "de", "du", "the", "le", "la", "and", "et", "via",
                         "with", "avec", "for", "pour", "by", "par", "near", "pres"})  # fmt: skip


def _capitalised_word(text: str) -> bool:
    return bool(text) and text[0].isupper()


def find_countries(text: str) -> list[str]:
    """ISO codes of the countries named in the text, in order of first mention."""
    index = _country_index()
    if not text or index.pattern is None:
        return []
    # accents removed, case kept, spaces as one space, a line break as ". " (a sentence ends there)
    plain = re.sub(r"[ \t]+", " ", re.sub(r"\s*\n\s*", ". ", _deaccent(text).strip()))
    lowered = plain.casefold()
    blocked: list[tuple[int, int]] = []
    for phrase in NOT_COUNTRIES:
        for m in re.finditer(r"(?<![\w-])" + re.escape(phrase) + r"(?![\w-])", lowered):
            blocked.append((m.start(), m.end()))
    found: list[str] = []
    for m in index.pattern.finditer(plain):
        start, end = m.span()
        if any(b0 <= start and end <= b1 for b0, b1 in blocked):  # inside "guinea pig"
            continue
        name = m.group(0).casefold()
        code = index.codes.get(name)
        if not code:
            continue
        if name in AMBIGUOUS or len(name) <= 3:
            written = m.group(0)
            if not _capitalised_word(written):
                continue
            if len(name) <= 3 and not written.isupper():  # "UK", "USA", "DRC", "RDC" only in capitals
                continue
            # a capitalised word right next to it (one space, no punctuation) makes it a person's name
            before = re.search(r"([^\W\d_]+) $", plain[:start])
            after = re.match(r" ([^\W\d_]+)", plain[end:])
            if before and _capitalised_word(before.group(1)) and before.group(1).casefold() not in _LINK_WORDS:
                earlier = plain[: before.start()].rstrip()
                if earlier and earlier[-1] not in '.!?:;"«(“':
                    continue  # "by Michael Jordan" (but not "Authorities in Chad" at a sentence start)
            if after and _capitalised_word(after.group(1)) and not after.group(1).isupper():
                continue  # "Chad Smith"
        if code not in found:
            found.append(code)
    return found


def _matcher() -> Any:
    # The catalogue is reference data every app reads for matching (as screening does); the key
    # notices a change of the catalogue between two builds.
    from django.db.models import Max

    from shieldhub.reference.matching import GoodsMatcher
    from shieldhub.reference.models import CatalogueItem

    stats = CatalogueItem.objects.filter(is_active=True).aggregate(n=Count("pk"), last=Max("pk"))
    key = f"{stats['n']}:{stats['last']}"
    cached = _CACHE.get("matcher")
    if cached and cached[1] == key and time.monotonic() - cached[0] < _CACHE_SECONDS:
        return cached[2]
    matcher = GoodsMatcher.from_catalogue()
    _CACHE["matcher"] = (time.monotonic(), key, matcher)
    return matcher


def clear_caches() -> None:
    _CACHE.clear()


@dataclass
class Tags:
    catalogue_codes: list[str] = field(default_factory=list)
    hs_codes: list[str] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)


_DIGITS = re.compile(r"\D")


def tag_text(text: str) -> Tags:
    """Catalogue items (codes), HS codes written in the text (6 digits) and countries (ISO codes)."""
    from shieldhub.reference.matching import DEFAULT_MIN_CONFIDENCE, HS

    matcher = _matcher()
    scores = matcher.item_scores(text)
    codes = sorted(code for code, score in scores.items() if score >= DEFAULT_MIN_CONFIDENCE)
    hs: list[str] = []
    for match in matcher.match(text):
        if match.kind == HS:
            digits = _DIGITS.sub("", match.term)[:6]
            if len(digits) == 6 and digits not in hs:
                hs.append(digits)
    return Tags(catalogue_codes=codes, hs_codes=hs, countries=find_countries(text))


def _apply_tags(item: OsintItem) -> None:
    from shieldhub.reference.models import CatalogueItem

    tags = tag_text(f"{item.title}\n{item.text}")
    item.hs_codes = tags.hs_codes
    item.countries = tags.countries
    item.catalogue_items.set(CatalogueItem.objects.filter(code__in=tags.catalogue_codes, is_active=True))


# --- grouping ---------------------------------------------------------------------------------

_GROUP_STOP_WORDS = (
    "a an and are as at by for from has have in into is it its of on or that the this to was were will with "
    "au aux avec ce ces dans de des du elle en est et il ils la le les leur par pour qui sa se son sont sur un une "
    "d l s"
)
_GROUP_STOP = frozenset(_GROUP_STOP_WORDS.split())


def _signature(title: str, text: str) -> str:
    words = [w for w in _WORD.findall(fold(f"{title} {' '.join((text or '').split()[:60])}")) if w not in _GROUP_STOP]
    return " ".join(words)


def fingerprint(title: str, text: str) -> str:
    words = _WORD.findall(fold(f"{title} {text}"))
    return hashlib.sha256(" ".join(words).encode()).hexdigest()


def similarity(a: str, b: str) -> float:
    """0–100: token-set ratio of two signatures that share at least four words and 30% of their
    words (Jaccard), else 0 — the ratio alone finds two different seizures of the same goods in the
    same country alike; the share of words tells them apart."""
    words_a, words_b = set(a.split()), set(b.split())
    common = words_a & words_b
    if len(common) < 4 or len(common) < MIN_SHARED_WORDS * len(words_a | words_b):
        return 0.0
    return float(fuzz.token_set_ratio(a, b))


def _group_days() -> int:
    return int(getattr(settings, "OSINT_GROUP_DAYS", DEFAULT_GROUP_DAYS))


def _group_threshold() -> float:
    return float(getattr(settings, "OSINT_GROUP_THRESHOLD", DEFAULT_GROUP_THRESHOLD))


def _group_for(item: OsintItem) -> OsintItem | None:
    """The first item of the story this item belongs to, or None (it starts a story)."""
    since = timezone.now() - dt.timedelta(days=_group_days())
    recent = OsintItem.objects.filter(fetched_at__gte=since).exclude(pk=item.pk)
    same = recent.filter(fingerprint=item.fingerprint).order_by("fetched_at", "pk").first()
    if same is not None:
        return same.group or same
    signature = _signature(item.title, item.text)
    threshold = _group_threshold()
    best: tuple[float, int | None, int] | None = None
    for pk, group_id, title, text in recent.order_by("-fetched_at", "-pk").values_list(
        "pk", "group_id", "title", "text"
    )[:GROUP_CANDIDATES]:
        score = similarity(signature, _signature(title, text))
        if score >= threshold and (best is None or score > best[0]):
            best = (score, group_id, pk)
    if best is None:
        return None
    return OsintItem.objects.get(pk=best[1] or best[2])


def _finish(item: OsintItem) -> None:
    """Tags, fingerprint and group of a saved item."""
    item.fingerprint = fingerprint(item.title, item.text)
    _apply_tags(item)
    item.group = _group_for(item)
    item.save(update_fields=["fingerprint", "hs_codes", "countries", "group"])


# --- sources ----------------------------------------------------------------------------------


def _clean_source(source: OsintSource) -> None:
    try:
        feeds.check_url(source.url)
    except feeds.FeedError as exc:
        raise ValidationError({"url": str(exc)}) from None
    if source.interval_minutes < 5:
        raise ValidationError({"interval_minutes": _("Fetch at most every 5 minutes.")})
    source.full_clean(exclude=["created_by"])


def _source_snapshot(source: OsintSource) -> dict[str, Any]:
    return {f: getattr(source, f) for f in SOURCE_FIELDS}


@transaction.atomic
def source_create(*, actor: Any, data: dict[str, Any]) -> OsintSource:
    _require(actor)
    source = OsintSource(created_by=actor)
    for key in SOURCE_FIELDS:
        if key in data:
            setattr(source, key, data[key])
    _clean_source(source)
    source.save()
    audit_record(actor=actor, action="analysis.osint_source_create", obj=source, changes=_source_snapshot(source))
    return source


@transaction.atomic
def source_update(*, actor: Any, source: OsintSource, data: dict[str, Any]) -> OsintSource:
    _require(actor, hide=True)
    before = _source_snapshot(source)
    for key in SOURCE_FIELDS:
        if key in data:
            setattr(source, key, data[key])
    if source.url != before["url"]:
        source.etag = source.modified = ""
    _clean_source(source)
    source.save()
    after = _source_snapshot(source)
    changes = {k: [before[k], after[k]] for k in SOURCE_FIELDS if before[k] != after[k]}
    audit_record(actor=actor, action="analysis.osint_source_update", obj=source, changes=changes)
    return source


def source_is_due(source: OsintSource, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    return source.is_active and (
        source.last_fetched_at is None or source.last_fetched_at + dt.timedelta(minutes=source.interval_minutes) <= now
    )


@dataclass
class FetchOutcome:
    new: int = 0
    error: str = ""
    not_modified: bool = False


def _ingest(source: OsintSource, result: feeds.FeedResult) -> int:
    """Create the items of a fetched feed that are new (by guid in this feed, or by address)."""
    guids = {e.guid for e in result.entries if e.guid}
    urls = {e.url for e in result.entries if e.url}
    known_guids = set(OsintItem.objects.filter(source=source, guid__in=guids).values_list("guid", flat=True))
    known_urls = set(OsintItem.objects.filter(url__in=urls).values_list("url", flat=True))
    created = 0
    for entry in result.entries:
        if (entry.guid and entry.guid in known_guids) or (entry.url and entry.url in known_urls):
            continue
        item = OsintItem(
            source=source, kind=SourceKind.FEED, url=entry.url, guid=entry.guid, title=entry.title[:500],
            text=entry.text, published_at=entry.published_at, language=entry.language or result.language or source.language,
        )  # fmt: skip
        try:
            item.full_clean(exclude=["group", "seizure", "message", "url"])
        except ValidationError:
            continue
        with transaction.atomic():
            item.save()
            _finish(item)
        known_guids.add(entry.guid)
        known_urls.add(entry.url)
        created += 1
    return created


def source_fetch(source: OsintSource) -> FetchOutcome:
    """Fetch one feed now and record the outcome on the source (never raises for a feed's fault)."""
    now = timezone.now()
    outcome = FetchOutcome()
    try:
        result = feeds.fetch_feed(source.url, etag=source.etag, modified=source.modified)
    except feeds.FeedError as exc:
        outcome.error = str(exc)
    else:
        try:
            outcome.not_modified = result.not_modified
            if not result.not_modified:
                outcome.new = _ingest(source, result)
        except Exception as exc:  # any error: one bad feed must not stop the others; the error is shown
            outcome.error = _("The feed could not be read (%(error)s).") % {"error": type(exc).__name__}
    updates: dict[str, Any] = {"last_fetched_at": now, "last_error": outcome.error[:2000]}
    if not outcome.error:
        updates["last_success_at"] = now
        if not outcome.not_modified:
            updates["etag"], updates["modified"] = result.etag, result.modified
    OsintSource.objects.filter(pk=source.pk).update(**updates)
    for key, value in updates.items():
        setattr(source, key, value)
    return outcome


def sources_fetch_due(now: dt.datetime | None = None) -> dict[int, FetchOutcome]:
    """Fetch every active source whose interval has passed; one failure never stops the others."""
    outcomes: dict[int, FetchOutcome] = {}
    for source in OsintSource.objects.filter(is_active=True).order_by("pk"):
        if source_is_due(source, now):
            try:
                outcomes[source.pk] = source_fetch(source)
            except Exception as exc:  # any error: recorded on the source, the loop goes on
                OsintSource.objects.filter(pk=source.pk).update(
                    last_fetched_at=timezone.now(), last_error=type(exc).__name__
                )
                outcomes[source.pk] = FetchOutcome(error=type(exc).__name__)
    return outcomes


def source_fetch_now(*, actor: Any, source: OsintSource) -> None:
    """The "Fetch now" button: audited, the fetch itself runs in the background after the commit."""
    _require(actor, hide=True)
    from shieldhub.analysis.tasks_osint import osint_fetch_source

    with transaction.atomic():
        audit_record(actor=actor, action="analysis.osint_source_fetch", obj=source)
        transaction.on_commit(lambda: osint_fetch_source.enqueue(source.pk))


# --- items ------------------------------------------------------------------------------------


def _item_values(data: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key in ITEM_FIELDS:
        if key not in data:
            continue
        value = data[key]
        if key == "published_at" and isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            value = timezone.make_aware(dt.datetime.combine(value, dt.time(12)))
        if key == "text":
            value = feeds.clean_text(str(value or "")) if "<" in str(value or "") else str(value or "").strip()
        if key in ("url", "title", "language") and isinstance(value, str):
            value = value.strip()
        values[key] = value
    return values


def _clean_item(item: OsintItem) -> None:
    if item.url:
        try:
            URLValidator(schemes=["http", "https"])(item.url)
        except ValidationError:
            raise ValidationError({"url": _("Enter an http or https address.")}) from None
    if item.language and item.language not in LANGUAGES:
        raise ValidationError({"language": _("Choose a language code such as en or fr.")})
    item.full_clean(exclude=["group", "seizure", "message", "source", "triaged_by", "entered_by"])


@transaction.atomic
def item_create(*, actor: Any, data: dict[str, Any], kind: str = SourceKind.MANUAL) -> OsintItem:
    """An item entered by hand (or one row of an upload), tagged and grouped."""
    _require(actor)
    item = OsintItem(kind=kind, entered_by=actor, **_item_values(data))
    _clean_item(item)
    item.save()
    _finish(item)
    audit_record(
        actor=actor, action="analysis.osint_item_create", obj=item,
        changes={"title": item.title, "url": item.url, "kind": item.kind},
    )  # fmt: skip
    return item


@transaction.atomic
def item_triage(*, actor: Any, item: OsintItem, status: str) -> int:
    """Mark the item's story relevant or not relevant (or back to new); returns the items changed."""
    _require(actor, hide=True)
    if status not in ItemStatus.values:
        raise ValidationError({"status": _("Choose relevant or not relevant.")})
    head = item.group_id or item.pk
    story = OsintItem.objects.filter(Q(pk=head) | Q(group_id=head))
    before = item.status
    count = story.update(status=status, triaged_by=actor if status != ItemStatus.NEW else None,
                         triaged_at=timezone.now() if status != ItemStatus.NEW else None)  # fmt: skip
    audit_record(
        actor=actor, action="analysis.osint_item_triage", obj=item, changes={"status": [before, status]},
        extra={"items": count},
    )  # fmt: skip
    item.refresh_from_db(fields=["status", "triaged_by", "triaged_at"])
    return count


_QUANTITY = re.compile(
    r"(\d{1,3}(?:[ ,.\u00a0]\d{3})+|\d+)(?:[.,](\d+))?\s*(tonnes?|tons?|t|kg|kgs|kilos?|kilogrammes?|kilograms?|"
    r"litres?|liters?|l)\b",
    re.IGNORECASE,
)


def extract_quantity(text: str) -> tuple[Decimal, str] | None:
    """The first quantity with a mass or volume unit in the text ("3 tonnes", "1,200 kg", "2,5 t")."""
    m = _QUANTITY.search(text or "")
    if not m:
        return None
    whole = re.sub(r"\D", "", m.group(1))
    number = Decimal(whole + ("." + m.group(2) if m.group(2) else ""))
    unit = m.group(3).lower()
    if unit.startswith(("t",)):
        return number, "t"
    if unit.startswith("l"):
        return number, "L"
    return number, "kg"


def seizure_data(item: OsintItem, *, reporting_country: str = "") -> dict[str, Any]:
    """The data of a seizure record draft made from the item (for `seizures.services.incident_create`)."""
    when = item.published_at or item.fetched_at
    parts = [item.title, "", item.text[:4000]]
    if item.url:
        parts += ["", _("Source: %(url)s") % {"url": item.url}]
    quantity = extract_quantity(f"{item.title}\n{item.text}")
    goods = []
    for catalogue_item in item.catalogue_items.all():
        number, unit = quantity if quantity else (Decimal("0"), "kg")
        goods.append({
            "catalogue_item": catalogue_item.pk, "quantity": number, "unit": unit,
            "declared_description": _("From an open source; check the quantity.") if quantity
            else _("From an open source; quantity not reported."),
        })  # fmt: skip
    return {
        "incident_type": "seizure",
        "source": "open_source",
        "reporting_country": (reporting_country or (item.countries[0] if item.countries else "")).upper(),
        "occurred_on": timezone.localtime(when).date() if timezone.is_aware(when) else when.date(),
        "narrative": "\n".join(parts).strip(),
        "goods": goods[:10],
    }


@transaction.atomic
def item_to_seizure(*, actor: Any, item: OsintItem, reporting_country: str = "") -> Any:
    """A seizure record draft (source: open source) from the item, the actor's; linked back."""
    _require(actor, hide=True)
    if not has_perm(actor, Perm.SEIZURE_REPORT):
        raise PermissionDenied
    from shieldhub.seizures import services as seizure_services

    if item.seizure_id:
        raise ValidationError(_("This item already has a seizure record."))
    data = seizure_data(item, reporting_country=reporting_country)
    if not data["reporting_country"]:
        raise ValidationError(
            {"reporting_country": _("No country was found in the item: choose the reporting country.")}
        )
    incident = seizure_services.incident_create(actor=actor, data=data)
    OsintItem.objects.filter(pk=item.pk).update(seizure=incident)
    item.seizure = incident
    audit_record(actor=actor, action="analysis.osint_item_to_seizure", obj=item, extra={"incident": incident.pk})
    return incident


def message_compose_url(item: OsintItem) -> str:
    """The exchange's compose page, prefilled from the item (subject, body, precursors, HS codes)."""
    lines = [item.title, ""]
    if item.text:
        lines += [item.text[:1500], ""]
    if item.url:
        lines.append(_("Source: %(url)s") % {"url": item.url})
    params: list[tuple[str, Any]] = [
        ("subject", item.title[:200]), ("body", "\n".join(lines).strip()), ("kind", "information"),
        ("hs_codes", ", ".join(item.hs_codes)), ("source", f"{SOURCE_PREFIX}{item.pk}"),
    ]  # fmt: skip
    params += [("precursors", c.pk) for c in item.catalogue_items.all()]
    return reverse("exchange:compose") + "?" + urlencode(params)


SOURCE_PREFIX = "osint:"  # the compose link's `source`: the message is linked to the item once sent


def on_message_composed(sender: Any, *, message: Any, actor: Any, source: str, **kwargs: Any) -> None:
    """`exchange.signals.message_composed`: a message written from an item (its compose link) is
    linked to the item, as the analyst would by hand — if they may still see and edit the item."""
    if not source.startswith(SOURCE_PREFIX):
        return
    try:
        item = item_get(user=actor, pk=source.removeprefix(SOURCE_PREFIX))
        item_link_message(actor=actor, item=item, message_id=message.pk)
    except (Http404, PermissionDenied, ValidationError, ValueError):
        return  # the item is gone or not theirs: the message stands, unlinked


@transaction.atomic
def item_link_message(*, actor: Any, item: OsintItem, message_id: Any) -> OsintItem:
    """Link a message the actor may see (usually the one written from the item) to the item."""
    _require(actor, hide=True)
    from shieldhub.exchange.selectors import message_get

    try:
        message = message_get(user=actor, pk=message_id)
    except (Http404, ValueError, TypeError):
        raise ValidationError({"message": _("Choose one of your messages.")}) from None
    OsintItem.objects.filter(pk=item.pk).update(message=message)
    item.message = message
    audit_record(actor=actor, action="analysis.osint_item_message", obj=item, extra={"message": message.pk})
    return item


# --- uploads ----------------------------------------------------------------------------------


class UploadError(ValidationError):
    """The upload was refused: `errors` lists "Row n, column c: ..." messages."""


def _read_rows(name: str, content: bytes) -> list[list[Any]]:
    if content[:4] == b"PK\x03\x04" or name.lower().endswith(".xlsx"):
        if content[:4] != b"PK\x03\x04":
            raise UploadError(_("The file is not an Excel workbook (.xlsx)."))
        from python_calamine import CalamineWorkbook

        try:
            workbook = CalamineWorkbook.from_filelike(io.BytesIO(content))
            return [list(row) for row in workbook.get_sheet_by_index(0).to_python()]
        except Exception:  # any unreadable workbook is the same answer for the user
            raise UploadError(_("The workbook could not be read.")) from None
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UploadError(_("The file is neither an Excel workbook nor a UTF-8 CSV file.")) from None
    if "\x00" in text:
        raise UploadError(_("The file is neither an Excel workbook nor a UTF-8 CSV file."))
    try:
        dialect: Any = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return [list(row) for row in csv.reader(io.StringIO(text), dialect)]


def _cell_date(value: Any) -> dt.datetime | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value if timezone.is_aware(value) else timezone.make_aware(value)
    if isinstance(value, dt.date):
        return timezone.make_aware(dt.datetime.combine(value, dt.time(12)))
    text = str(value).strip()
    try:
        parsed = parse_datetime(text)
        if parsed is not None:
            return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)
        day = parse_date(text)
    except ValueError:
        day = None
    if day is None:
        for fmt in ("%d/%m/%Y", "%d.%m.%Y"):
            try:
                day = dt.datetime.strptime(text, fmt).date()
                break
            except ValueError:
                continue
    if day is None:
        raise ValueError(text)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12)))


def items_upload(*, actor: Any, name: str, content: bytes) -> list[OsintItem]:
    """Items from a CSV or XLSX file with the columns url, title, text, date, language (first row:
    the headings, in any order; title required). Everything is checked first; errors are reported
    by row and column and nothing is written unless every row is right."""
    _require(actor)
    if len(content) > MAX_UPLOAD_BYTES:
        raise UploadError(_("The file is larger than 2 MB."))
    rows = [r for r in _read_rows(name, content) if any(str(c or "").strip() for c in r)]
    if not rows:
        raise UploadError(_("The file is empty."))
    headings = [fold(str(c or "")).strip() for c in rows[0]]
    missing = [c for c in ("title",) if c not in headings]
    if missing:
        raise UploadError(
            _("The first row must name the columns: url, title, text, date, language (title is required).")
        )
    unknown = [h for h in headings if h and h not in UPLOAD_COLUMNS]
    errors: list[str] = []
    if unknown:
        errors.append(_("Unknown columns: %(names)s.") % {"names": ", ".join(unknown)})
    if len(rows) - 1 > MAX_UPLOAD_ROWS:
        raise UploadError(_("At most %(n)s rows per file.") % {"n": MAX_UPLOAD_ROWS})
    position = {h: i for i, h in enumerate(headings) if h in UPLOAD_COLUMNS}
    prepared: list[dict[str, Any]] = []
    for number, row in enumerate(rows[1:], start=2):

        def cell(column: str, row: list[Any] = row) -> Any:
            i = position.get(column)
            return row[i] if i is not None and i < len(row) else None

        data: dict[str, Any] = {c: str(cell(c) or "").strip() for c in ("url", "title", "text", "language")}
        try:
            data["published_at"] = _cell_date(cell("date"))
        except ValueError:
            errors.append(_("Row %(row)s, column %(column)s: “%(value)s” is not a date (YYYY-MM-DD).") % {
                "row": number, "column": "date", "value": cell("date")})  # fmt: skip
            continue
        data["language"] = data["language"].lower()
        item = OsintItem(kind=SourceKind.UPLOAD, **_item_values(data))
        try:
            _clean_item(item)
        except ValidationError as exc:
            for column, messages in exc.message_dict.items():
                errors.append(_("Row %(row)s, column %(column)s: %(error)s") % {
                    "row": number, "column": "date" if column == "published_at" else column,
                    "error": " ".join(messages)})  # fmt: skip
            continue
        prepared.append(data)
    if errors:
        raise UploadError(errors)
    created: list[OsintItem] = []
    with transaction.atomic():
        for data in prepared:
            created.append(item_create(actor=actor, data=data, kind=SourceKind.UPLOAD))
        audit_record(
            actor=actor, action="analysis.osint_items_upload", object_type="analysis.osintitem",
            object_repr=name[:200], extra={"items": len(created)},
        )  # fmt: skip
    return created
