"""The evaluation form after a training and its summary.

`QUESTIONS` is defined here (ratings 1–5 and free text, labels in English and French). A participant
answers once: approved and attended, signed in (their own registration) or through the link with their
badge code (sent with the certificate). The summary (managers) shows per question the average, the
distribution and the free-text answers — never names.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from shieldhub.core.access import Perm, require
from shieldhub.core.audit import audit_record
from shieldhub.events.choices import RegistrationStatus
from shieldhub.events.models import EvaluationResponse, Event, Registration

RATING = "rating"
TEXT = "text"
SCALE = (1, 2, 3, 4, 5)


@dataclass(frozen=True)
class Question:
    key: str
    kind: str
    label_en: str
    label_fr: str

    @property
    def label(self) -> str:
        return self.label_fr if (get_language() or "").startswith("fr") else self.label_en


QUESTIONS: tuple[Question, ...] = (
    Question("overall", RATING, "Overall, how useful was the training?", "Dans l'ensemble, la formation vous a-t-elle été utile ?"),
    Question("content", RATING, "Was the content relevant to your work?", "Le contenu était-il adapté à votre travail ?"),
    Question("trainers", RATING, "How clear were the trainers?", "Les formateurs ont-ils été clairs ?"),
    Question("materials", RATING, "How good were the materials and exercises?", "Les supports et exercices étaient-ils de qualité ?"),
    Question("organisation", RATING, "How well was the training organised?", "La formation était-elle bien organisée ?"),
    Question("best", TEXT, "What was most useful?", "Qu'est-ce qui vous a été le plus utile ?"),
    Question("improve", TEXT, "What should be improved?", "Que faudrait-il améliorer ?"),
)  # fmt: skip
MAX_TEXT = 2000


def eligible(registration: Registration) -> bool:
    """Approved, attended at least once, and not answered yet."""
    return (
        registration.status == RegistrationStatus.APPROVED
        and registration.attendances.exists()
        and not EvaluationResponse.objects.filter(registration=registration).exists()
    )


def registration_for_user(*, user: Any, event: Event) -> Registration | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Registration.objects.filter(event=event, user=user).select_related("event").first()


_EVALUATION_SIGNER = signing.Signer(salt="shieldhub.events.evaluation")


def evaluation_code(registration: Registration) -> str:
    """The code of a participant's evaluation link: their badge code signed with the site's key. The
    badge code alone is printed as a QR code on the badge, which others see; the signature is only in
    the email sent to the participant, so a badge seen at the event does not open their evaluation."""
    return _EVALUATION_SIGNER.sign(registration.badge_code)


def registration_for_code(code: str) -> Registration:
    """The registration behind an evaluation link (a 404 when unknown or not signed by us)."""
    try:
        badge_code = _EVALUATION_SIGNER.unsign((code or "").strip())
    except signing.BadSignature as exc:
        raise Http404 from exc
    reg = Registration.objects.select_related("event").filter(badge_code=badge_code).first()
    if reg is None:
        raise Http404
    return reg


def clean_answers(data: dict[str, Any]) -> dict[str, Any]:
    """The answers validated against QUESTIONS (ratings required, 1–5; texts optional, trimmed)."""
    answers: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for q in QUESTIONS:
        value = data.get(q.key)
        if q.kind == RATING:
            try:
                number = int(str(value))
            except (TypeError, ValueError):
                number = 0
            if number not in SCALE:
                errors[q.key] = [_("Choose a rating from 1 to 5.")]
                continue
            answers[q.key] = number
        else:
            text = str(value or "").strip()[:MAX_TEXT]
            if text:
                answers[q.key] = text
    if errors:
        raise ValidationError(errors)
    return answers


def evaluation_submit(*, actor: Any, registration: Registration, data: dict[str, Any]) -> EvaluationResponse:
    """Record the participant's answers, once. `actor` is the participant's account or None (link)."""
    if registration.status != RegistrationStatus.APPROVED or not registration.attendances.exists():
        raise ValidationError(_("The evaluation is for participants who attended the training."))
    answers = clean_answers(data)
    try:
        with transaction.atomic():
            response = EvaluationResponse.objects.create(
                event=registration.event, registration=registration, answers=answers
            )
            # The audit entry names the event, not the participant: answers are anonymous in summaries.
            audit_record(
                actor=actor if getattr(actor, "pk", None) else "evaluation link",
                action="events.evaluation_submit",
                obj=registration.event,
                extra={"response": response.pk},
            )
    except IntegrityError as exc:
        raise ValidationError(_("You have already answered the evaluation. Thank you.")) from exc
    return response


def evaluation_summary(*, user: Any, event: Event) -> dict[str, Any]:
    """Per question: count, average and distribution (ratings) or the answers (texts, no names)."""
    require(user, Perm.EVENTS_MANAGE, hide=True)
    responses = list(
        EvaluationResponse.objects.filter(event=event).order_by("submitted_at", "pk").values_list("answers", flat=True)
    )
    questions = []
    for q in QUESTIONS:
        if q.kind == RATING:
            values = [int(a[q.key]) for a in responses if isinstance(a.get(q.key), int)]
            distribution = [{"value": v, "count": values.count(v)} for v in SCALE]
            questions.append(
                {
                    "q": q,
                    "count": len(values),
                    "average": round(sum(values) / len(values), 2) if values else None,
                    "distribution": distribution,
                    "max": max((d["count"] for d in distribution), default=0),
                }
            )
        else:
            texts = [str(a[q.key]) for a in responses if a.get(q.key)]
            questions.append({"q": q, "count": len(texts), "texts": texts})
    return {"responses": len(responses), "questions": questions}
