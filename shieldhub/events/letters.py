"""Invitation letters: Word templates (docxtpl — Jinja placeholders inside a .docx that the
secretariat edits in Word), the default templates in English and French, and the letter of one
invitation as DOCX and PDF.

- Templates are `LetterTemplate` rows. `letter_templates_ensure_defaults()` stores the built-in
  defaults (generated here with python-docx) the first time a letter is needed or the demo runs.
- An upload is checked by content (`core.files.sniff`: a real .docx, no macros, no encryption), by
  size (``EVENTS_LETTER_TEMPLATE_MAX_BYTES``), then rendered with a test context: a Jinja error or an
  unknown placeholder is reported with the line and what is wrong, in the manager's language.
- The letter of an invitation is rendered in the invitation's language; the wording fields the
  assistant edits (`Invitation.overrides`) replace the default paragraphs; a corrected .docx uploaded
  for one invitation (`Invitation.letter_docx`) is used instead of the template (rendered again, so
  placeholders it still holds are filled).
- The PDF copy: DOCX → HTML (mammoth) → PDF (WeasyPrint through `events.pdf`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import io
import logging
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import formats, timezone, translation
from django.utils.translation import gettext_lazy as _

from shieldhub.core import files
from shieldhub.core.access import Perm, has_perm
from shieldhub.core.audit import audit_record
from shieldhub.events.choices import Language, LetterKind
from shieldhub.events.models import Event, Invitation, LetterTemplate

logger = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
# Dates in a formal letter are written out in full in both languages ("22 December 2026",
# "22 décembre 2026"), not with the English short month ("Dec. 22, 2026") of DATE_FORMAT.
LETTER_DATE = "j F Y"
# The wording fields the assistant may edit for one invitation (the template's paragraphs).
WORDING_FIELDS = ("subject", "intro", "programme", "nomination_text", "closing")
# Every placeholder a template may use (the test render reports any other as unknown).
PLACEHOLDERS = (
    "reference",
    "date",
    "title",
    "name",
    "given_name",
    "family_name",
    "position",
    "organisation",
    "country",
    "salutation",
    "event",
    "event_kind",
    "dates",
    "venue",
    "online_link",
    "languages",
    "funding_terms",
    "reply_by",
    "nomination_link",
    "seats",
    "signatory",
    "signatory_title",
    *WORDING_FIELDS,
)


def max_template_bytes() -> int:
    return int(getattr(settings, "EVENTS_LETTER_TEMPLATE_MAX_BYTES", DEFAULT_MAX_BYTES))


# --- the default templates -----------------------------------------------------------------------

# Fixed text of the default templates, per language (the placeholders are filled at rendering).
_DEFAULT_TEXT = {
    "en": {
        "our_ref": "Our ref.:",
        "place_date": "Brussels, {{ date }}",
        "subject": "Subject: {{ subject }}",
        "dates": "Dates: {{ dates }}",
        "venue": "Venue: {{ venue }}",
        "funding": "Funding: {{ funding_terms }}",
        "seats": "Places offered to your administration: {{ seats }}",
        "reply_by": "Please reply by {{ reply_by }} through the secure link below:",
        "regards": "Yours sincerely,",
        "programme": "Programme Global Shield",
    },
    "fr": {
        "our_ref": "Notre réf. :",
        "place_date": "Bruxelles, le {{ date }}",
        "subject": "Objet : {{ subject }}",
        "dates": "Dates : {{ dates }}",
        "venue": "Lieu : {{ venue }}",
        "funding": "Prise en charge : {{ funding_terms }}",
        "seats": "Places offertes à votre administration : {{ seats }}",
        "reply_by": "Nous vous remercions de répondre avant le {{ reply_by }} au moyen du lien sécurisé ci-dessous :",
        "regards": "Veuillez agréer, {{ salutation }}, l’expression de ma haute considération.",
        "programme": "Programme Global Shield",
    },
}


def build_default_template(language: str) -> bytes:
    """A formal WCO letter as a docxtpl template (letterhead, reference, date, addressee, subject,
    body, signature). Each placeholder sits in a single run so that docxtpl sees it whole."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt, RGBColor

    text = _DEFAULT_TEXT[language]
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "DejaVu Sans"
    style.font.size = Pt(10.5)
    for section in doc.sections:
        section.left_margin = section.right_margin = Pt(64)
        section.top_margin = Pt(48)

    def para(
        content: str = "", *, bold: bool = False, size: float | None = None, align: Any = None, space: float = 6
    ) -> None:
        p = doc.add_paragraph()
        run = p.add_run(content)
        run.bold = bold
        if size:
            run.font.size = Pt(size)
        if align is not None:
            p.alignment = align
        p.paragraph_format.space_after = Pt(space)

    head = doc.add_paragraph()
    head.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = head.add_run("WORLD CUSTOMS ORGANIZATION\nORGANISATION MONDIALE DES DOUANES")
    run.bold = True
    run.font.size = Pt(14)
    run.font.color.rgb = RGBColor(0x00, 0x3A, 0x70)
    para(text["programme"], align=WD_ALIGN_PARAGRAPH.CENTER, size=10)
    para("Rue du Marché 30, B-1210 Brussels · www.wcoomd.org", align=WD_ALIGN_PARAGRAPH.CENTER, size=8.5, space=18)
    para(f"{text['our_ref']} {{{{ reference }}}}", space=2)
    para(text["place_date"], align=WD_ALIGN_PARAGRAPH.RIGHT, space=14)
    # no leading space before the name when the addressee has no title
    for line in (
        "{{ title }}{% if title %} {% endif %}{{ name }}",
        "{{ position }}",
        "{{ organisation }}",
        "{{ country }}",
    ):
        para(line, space=0)
    para("", space=8)
    para(text["subject"], bold=True, space=12)
    para("{{ salutation }},")
    para("{{ intro }}")
    para("{{ programme }}")
    para(text["dates"], space=0)
    para(text["venue"], space=0)
    para(text["seats"], space=8)
    para(text["funding"])
    para("{{ nomination_text }}")
    para(text["reply_by"], space=2)
    para("{{ nomination_link }}", space=8)
    para("{{ closing }}")
    para(text["regards"], space=30)
    para("{{ signatory }}", bold=True, space=0)
    para("{{ signatory_title }}")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _default_name(language: str) -> str:
    return {"en": "Invitation letter (English)", "fr": "Lettre d’invitation (français)"}[language]


def letter_templates_ensure_defaults() -> list[LetterTemplate]:
    """Store the built-in invitation templates (EN, FR) once; idempotent (a default of a kind and
    language that already exists — built-in or uploaded — is left alone)."""
    created = []
    for language in (Language.EN, Language.FR):
        if LetterTemplate.objects.filter(
            kind=LetterKind.INVITATION, language=language, event=None, is_default=True
        ).exists():
            continue
        data = build_default_template(language)
        with transaction.atomic():
            template = LetterTemplate.objects.create(
                name=_default_name(language),
                kind=LetterKind.INVITATION,
                language=language,
                is_default=True,
                filename=f"invitation-{language}.docx",
                content=data,
                sha256=hashlib.sha256(data).hexdigest(),
            )
            audit_record(actor=None, action="events.letter_template.create", obj=template, extra={"builtin": True})
        created.append(template)
    return created


# --- selectors -----------------------------------------------------------------------------------


def letter_template_list(*, user: Any, event: Event | None = None) -> QuerySet[LetterTemplate]:
    """Templates are the managers' (they may carry an event's details before it is announced)."""
    if not has_perm(user, Perm.EVENTS_MANAGE):
        raise PermissionDenied
    qs = LetterTemplate.objects.select_related("event", "uploaded_by").defer("content")
    if event is not None:
        qs = qs.filter(event=event)
    return qs.order_by("event_id", "kind", "language", "-is_default", "name", "pk")


def letter_template_get(*, user: Any, pk: Any) -> LetterTemplate:
    if not has_perm(user, Perm.EVENTS_MANAGE):
        raise Http404
    try:
        return LetterTemplate.objects.select_related("event").get(pk=int(pk))
    except (LetterTemplate.DoesNotExist, TypeError, ValueError) as exc:
        raise Http404 from exc


def template_for(invitation: Invitation, *, kind: str = LetterKind.INVITATION) -> LetterTemplate:
    """The invitation's own template, else the event's template of this kind and language (the
    default one first), else the default of the kind and language (the built-in ones are stored on
    first use), else the English default."""
    if invitation.template_id and invitation.template is not None:
        return invitation.template
    language = invitation.language or Language.EN
    own = LetterTemplate.objects.filter(event=invitation.event_id, kind=kind, language=language)
    found = own.order_by("-is_default", "-uploaded_at", "-pk").first()
    if found is not None:
        return found
    defaults = LetterTemplate.objects.filter(event=None, kind=kind, is_default=True)
    found = defaults.filter(language=language).first() or defaults.filter(language=Language.EN).first()
    if found is None:
        letter_templates_ensure_defaults()
        found = (
            LetterTemplate.objects.filter(event=None, kind=LetterKind.INVITATION, is_default=True)
            .filter(language=language)
            .first()
        )
    if found is None:  # pragma: no cover - ensure_defaults always stores both
        raise LetterTemplate.DoesNotExist
    return found


# --- rendering -----------------------------------------------------------------------------------


def _render(data: bytes, context: dict[str, Any]) -> bytes:
    from docxtpl import DocxTemplate

    tpl = DocxTemplate(io.BytesIO(data))
    tpl.render(context, autoescape=True)
    out = io.BytesIO()
    tpl.save(out)
    return out.getvalue()


def _event_dates(event: Event) -> str:
    zone = ZoneInfo(event.time_zone or "UTC")
    start = timezone.localtime(event.starts_at, zone).date()
    end = timezone.localtime(event.ends_at, zone).date()
    first = formats.date_format(start, LETTER_DATE)
    if start == end:
        return first
    return f"{first} – {formats.date_format(end, LETTER_DATE)}"


def _venue(event: Event) -> str:
    address = ", ".join(line.strip() for line in (event.venue_address or "").splitlines() if line.strip())
    parts = [event.venue_name, address]
    if event.venue_country:
        parts.append(str(event.venue_country.name))
    venue = ", ".join(p for p in parts if p)
    return venue


# The letter's own wording in each language. Kept here rather than in the translation catalogue:
# a formal letter's French is the Secretariat's text, edited with the templates, not an interface string.
_WORDING: dict[str, dict[str, str]] = {
    "en": {
        "subject": "Invitation to the {event}",
        "intro": (
            "On behalf of the Secretary General of the World Customs Organization, I have the honour to invite "
            "your administration to take part in the {event}, organised under the Programme Global Shield."
        ),
        "programme": (
            "The event will strengthen the cooperation between customs administrations against the diversion of "
            "chemical precursors used to make improvised explosive devices."
        ),
        "nomination_text": (
            "I should be grateful if you would nominate the officers who will represent your administration, "
            "giving for each their position and contact details and, where a visa is needed, their passport details."
        ),
        "closing": (
            "The Secretariat remains at your disposal for any further information. I thank you in advance for your "
            "cooperation."
        ),
    },
    "fr": {
        "subject": "Invitation : {event}",
        "intro": (
            "Au nom du Secrétaire général de l’Organisation mondiale des douanes, j’ai l’honneur d’inviter votre "
            "administration à participer à l’événement « {event} », organisé dans le cadre du Programme Global Shield."
        ),
        "programme": (
            "Cet événement renforcera la coopération entre administrations douanières contre le détournement des "
            "précurseurs chimiques utilisés pour fabriquer des engins explosifs improvisés."
        ),
        "nomination_text": (
            "Je vous saurais gré de bien vouloir désigner les fonctionnaires qui représenteront votre administration, "
            "en indiquant pour chacun sa fonction et ses coordonnées et, si un visa est nécessaire, les données de "
            "son passeport."
        ),
        "closing": (
            "Le Secrétariat reste à votre disposition pour toute information complémentaire. Je vous remercie par "
            "avance de votre coopération."
        ),
    },
}
_FIXED: dict[str, dict[str, str]] = {
    "en": {
        "sir": "Dear Sir",
        "madam": "Dear Madam",
        "colleague": "Dear Colleague",
        "online": "Online",
        "funding_tbc": "to be confirmed by the Secretariat",
        "link_later": "(the secure nomination link is added when the invitation is sent)",
        "signatory_title": "For the Secretary General, World Customs Organization",
    },
    "fr": {
        "sir": "Monsieur",
        "madam": "Madame",
        "colleague": "Madame, Monsieur",
        "online": "En ligne",
        "funding_tbc": "à confirmer par le Secrétariat",
        "link_later": "(le lien sécurisé de désignation est ajouté à l’envoi de l’invitation)",
        "signatory_title": "Pour le Secrétaire général de l’Organisation mondiale des douanes",
    },
}


def _fixed(language: str) -> dict[str, str]:
    return _FIXED.get(language, _FIXED["en"])


def _salutation(title: str, language: str) -> str:
    fixed = _fixed(language)
    if title == "mr":
        return fixed["sir"]
    if title in ("ms", "mrs"):
        return fixed["madam"]
    return fixed["colleague"]


def default_wording(event: Event, language: str) -> dict[str, str]:
    """The default paragraphs of the letter in `language` (what the assistant may edit)."""
    wording = _WORDING.get(language, _WORDING["en"])
    title = event.title_in(language)
    return {key: text.format(event=title) for key, text in wording.items()}


def letter_context(invitation: Invitation, *, nomination_link: str = "") -> dict[str, Any]:
    """Everything a template may use, in the invitation's language."""
    event = invitation.event
    language = invitation.language or Language.EN
    person = invitation.recipient
    organisation = invitation.organisation or getattr(person, "organisation", None)
    fixed = _fixed(language)
    with translation.override(language):
        wording = default_wording(event, language)
        for key in WORDING_FIELDS:
            value = (invitation.overrides or {}).get(key)
            if value:
                wording[key] = str(value)
        reply_by = invitation.reply_by or event.reply_by
        title_display = person.get_title_display() if person.title else ""
        context: dict[str, Any] = {
            "reference": f"GS/{event.pk}/{invitation.country}/{invitation.pk or 0}",
            "date": formats.date_format(timezone.localdate(), LETTER_DATE),
            "title": title_display,
            "name": " ".join(p for p in (person.given_name, person.family_name) if p),
            "given_name": person.given_name,
            "family_name": person.family_name,
            "position": person.position,
            "organisation": organisation.name if organisation else "",
            "country": str(invitation.country.name) if invitation.country else "",
            "salutation": _salutation(person.title, language),
            "event": event.title_in(language),
            "event_kind": str(event.get_kind_display()),
            "dates": _event_dates(event),
            "venue": _venue(event) or (fixed["online"] if event.online_url else ""),
            "online_link": event.online_url,
            "languages": ", ".join(str(dict(Language.choices).get(code, code)) for code in event.languages or []),
            "funding_terms": (event.funding_terms_fr if language == "fr" else event.funding_terms_en)
            or event.funding_terms_en
            or fixed["funding_tbc"],
            "reply_by": formats.date_format(reply_by, LETTER_DATE) if reply_by else "",
            "nomination_link": nomination_link or fixed["link_later"],
            "seats": invitation.seats,
            "signatory": getattr(settings, "EVENTS_LETTER_SIGNATORY", "Global Shield Programme Manager"),
            "signatory_title": _fixed(language)["signatory_title"],
            **wording,
        }
    return context


def letter_docx(invitation: Invitation, *, nomination_link: str = "") -> bytes:
    """The invitation's letter as a Word document, in its language."""
    context = letter_context(invitation, nomination_link=nomination_link)
    data = bytes(invitation.letter_docx) if invitation.letter_docx else bytes(template_for(invitation).content)
    with translation.override(invitation.language or Language.EN):
        return _render(data, context)


_PRINT_CSS = """
@page { size: A4; margin: 22mm 22mm 20mm 22mm; }
body { font-family: "DejaVu Sans", sans-serif; font-size: 10.5pt; line-height: 1.4; color: #111; }
p { margin: 0 0 6pt 0; }
strong { color: #003a70; }
"""


def docx_to_pdf(data: bytes, *, language: str) -> bytes:
    """The PDF copy of a Word letter: its HTML (mammoth) printed by WeasyPrint."""
    import mammoth

    from shieldhub.events import pdf

    body = mammoth.convert_to_html(io.BytesIO(data)).value
    page = (
        f'<!doctype html><html lang="{html.escape(language)}"><head><meta charset="utf-8">'
        f"<style>{_PRINT_CSS}</style></head><body>{body}</body></html>"
    )
    return pdf.html_to_pdf(page)


def letter_pdf(invitation: Invitation, *, nomination_link: str = "") -> bytes:
    return docx_to_pdf(letter_docx(invitation, nomination_link=nomination_link), language=invitation.language)


def letter_filename(invitation: Invitation, extension: str) -> str:
    country = str(invitation.country.code if hasattr(invitation.country, "code") else invitation.country)
    stem = f"invitation-{invitation.event_id}-{country.lower()}-{invitation.pk}"
    return f"{stem}.{extension}"


# --- checks --------------------------------------------------------------------------------------


def _test_context() -> dict[str, Any]:
    context: dict[str, Any] = {key: f"[{key}]" for key in PLACEHOLDERS}
    context["seats"] = 2
    return context


def check_docx(data: bytes, name: str, *, field: str = "file") -> None:
    """Refuse anything but a real, macro-free .docx that docxtpl can render with known placeholders."""
    if len(data) > max_template_bytes():
        raise ValidationError(
            {
                field: [
                    _("“%(name)s” is larger than %(size)s MB, the most a letter template may be.")
                    % {"name": name, "size": max_template_bytes() // (1024 * 1024)}
                ]
            }
        )
    sniffed = files.sniff(data, name, field=field)
    if sniffed.content_type != files.DOCX:
        raise ValidationError(
            {
                field: [
                    _("“%(name)s” is a %(type)s, not a Word document (.docx).")
                    % {"name": name, "type": files.type_label(sniffed.content_type)}
                ]
            }
        )
    from docxtpl import DocxTemplate
    from jinja2 import TemplateSyntaxError

    try:
        tpl = DocxTemplate(io.BytesIO(data))
        unknown = sorted(set(tpl.get_undeclared_template_variables()) - set(PLACEHOLDERS))
    except TemplateSyntaxError as exc:
        raise ValidationError(
            {
                field: [
                    _("“%(name)s” has an error in a placeholder or tag (line %(line)s): %(error)s")
                    % {"name": name, "line": exc.lineno, "error": exc.message}
                ]
            }
        ) from None
    except Exception as exc:
        raise ValidationError(
            {field: [_("“%(name)s” cannot be read as a letter template: %(error)s") % {"name": name, "error": exc}]}
        ) from None
    if unknown:
        raise ValidationError(
            {
                field: [
                    _("“%(name)s” uses unknown placeholders: %(unknown)s. Available placeholders: %(known)s.")
                    % {
                        "name": name,
                        "unknown": ", ".join(unknown),
                        "known": ", ".join(PLACEHOLDERS),
                    }
                ]
            }
        )
    try:
        _render(data, _test_context())
    except Exception as exc:
        message = getattr(exc, "message", None) or str(exc)
        raise ValidationError(
            {
                field: [
                    _("“%(name)s” could not be filled with a test letter: %(error)s") % {"name": name, "error": message}
                ]
            }
        ) from None


# --- services ------------------------------------------------------------------------------------


def _snapshot(t: LetterTemplate) -> dict[str, Any]:
    return {
        "name": t.name,
        "kind": t.kind,
        "language": t.language,
        "event": t.event_id,
        "is_default": t.is_default,
        "filename": t.filename,
        "sha256": t.sha256,
    }


def letter_template_upload(
    *,
    actor: Any,
    file: Any,
    name: str,
    kind: str,
    language: str,
    event: Event | None = None,
    make_default: bool = False,
    replace: LetterTemplate | None = None,
) -> LetterTemplate:
    """A new template (or a new version of `replace`), checked by content and by a test render."""
    if not has_perm(actor, Perm.EVENTS_MANAGE):
        raise PermissionDenied
    filename = files.clean_filename(getattr(file, "name", "") or "letter.docx", content_type=files.DOCX)
    limit = max_template_bytes()
    if getattr(file, "size", 0) and file.size > limit:
        check_docx(b"x" * (limit + 1), filename)  # raises the size message
    if hasattr(file, "seek"):
        file.seek(0)
    data = bytes(file.read(limit + 1))
    if not data:
        raise ValidationError({"file": [_("“%(name)s” is empty.") % {"name": filename}]})
    check_docx(data, filename)
    with transaction.atomic():
        before = _snapshot(replace) if replace is not None else None
        template = replace or LetterTemplate()
        template.name = name or filename
        template.kind = kind
        template.language = language
        template.event = event
        template.filename = filename
        template.content = data
        template.sha256 = hashlib.sha256(data).hexdigest()
        template.uploaded_by = actor
        template.uploaded_at = timezone.now()
        template.full_clean()
        template.save()
        if make_default:
            _set_default(template)
        audit_record(
            actor=actor,
            action="events.letter_template.update" if before else "events.letter_template.create",
            obj=template,
            changes={"before": before, "after": _snapshot(template)},
        )
    return template


def _set_default(template: LetterTemplate) -> None:
    LetterTemplate.objects.filter(
        kind=template.kind, language=template.language, event=template.event_id, is_default=True
    ).exclude(pk=template.pk).update(is_default=False)
    if not template.is_default:
        template.is_default = True
        template.save(update_fields=["is_default"])


def letter_template_set_default(*, actor: Any, template: LetterTemplate) -> LetterTemplate:
    """The default of its kind and language (for its event when it belongs to one)."""
    if not has_perm(actor, Perm.EVENTS_MANAGE):
        raise PermissionDenied
    with transaction.atomic():
        _set_default(template)
        audit_record(actor=actor, action="events.letter_template.default", obj=template)
    return template


def letter_template_delete(*, actor: Any, template: LetterTemplate) -> None:
    """A template no longer wanted; the last default of a kind and language stays (letters need one)."""
    if not has_perm(actor, Perm.EVENTS_MANAGE):
        raise PermissionDenied
    if template.is_default and template.event_id is None:
        others = LetterTemplate.objects.filter(
            kind=template.kind, language=template.language, event=None, is_default=True
        ).exclude(pk=template.pk)
        if not others.exists():
            raise ValidationError(_("Make another template the default of this kind and language first."))
    with transaction.atomic():
        audit_record(actor=actor, action="events.letter_template.delete", obj=template, changes=_snapshot(template))
        template.delete()


def today_in(event: Event) -> dt.date:
    return timezone.localtime(timezone.now(), ZoneInfo(event.time_zone or "UTC")).date()
