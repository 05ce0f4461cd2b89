"""Events and operations: the Programme's conference, trainings, webinars, workshops and meetings,
its operations with their pre- and post-operational meetings, and around them invitations (Word
letters), nominations by the invited administrations, registrations, attendance, certificates,
evaluations and training records.

Ownership inside the app (one module per sub-domain, each with its selectors and services):
- events, agenda, calendar: `selectors.py`, `services.py`, `calendar.py`, `agenda.py`
- invitations, letters, nominations: `invitations.py`, `letters.py`, `nominations.py`
- registrations, participants, badges, attendance, certificates, evaluations, training records:
  `registrations.py`, `participants.py`, `certificates.py`, `evaluations.py`, `training.py`
- operations: `operations.py`, `results.py`, `final_report.py`
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from shieldhub.core.i18n import in_language
from shieldhub.events.choices import (
    CheckInMethod,
    EventKind,
    EventStatus,
    Gender,
    InvitationStatus,
    Language,
    LetterKind,
    OperationPhase,
    RegistrationStatus,
)


class Event(models.Model):
    kind = models.CharField(_("kind"), max_length=20, choices=EventKind.choices)
    status = models.CharField(_("status"), max_length=20, choices=EventStatus.choices, default=EventStatus.DRAFT)
    title_en = models.CharField(_("title (English)"), max_length=255)
    title_fr = models.CharField(_("title (French)"), max_length=255, blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    description_fr = models.TextField(_("description (French)"), blank=True)
    # Stored in UTC like every datetime; `time_zone` is the event's own zone (IANA name), in which
    # times are entered and shown on the event's pages, agenda, letters and calendar files.
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    time_zone = models.CharField(_("time zone"), max_length=64, default="Europe/Brussels")
    venue_name = models.CharField(_("venue"), max_length=255, blank=True)
    venue_address = models.TextField(_("venue address"), blank=True)
    venue_country = CountryField(_("venue country"), blank=True)
    rooms = models.JSONField(_("rooms"), default=list, blank=True)
    online_url = models.URLField(_("online link"), max_length=500, blank=True)
    languages = models.JSONField(_("working languages"), default=list, blank=True)  # ["en", "fr"]
    interpretation = models.BooleanField(_("interpretation EN/FR"), default=False)
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)
    reply_by = models.DateField(_("reply by"), null=True, blank=True)
    funding_terms_en = models.TextField(_("funding terms (English)"), blank=True)
    funding_terms_fr = models.TextField(_("funding terms (French)"), blank=True)
    training_topic = models.CharField(_("training topic"), max_length=255, blank=True)
    organisers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("organisers"), blank=True, related_name="organised_events"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("last updated"), default=timezone.now)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["-starts_at", "-pk"]
        indexes = [
            models.Index(fields=["starts_at"], name="event_starts_idx"),
            models.Index(fields=["kind", "status"], name="event_kind_status_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return in_language(self.title_en, self.title_fr)

    @property
    def description(self) -> str:
        return in_language(self.description_en, self.description_fr)

    @property
    def funding_terms(self) -> str:
        return in_language(self.funding_terms_en, self.funding_terms_fr)

    def title_in(self, language: str) -> str:
        return self.title_fr if language == "fr" and self.title_fr else self.title_en


class Session(models.Model):
    """One item of an event's agenda."""

    event = models.ForeignKey(Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="sessions")
    title_en = models.CharField(_("title (English)"), max_length=255)
    title_fr = models.CharField(_("title (French)"), max_length=255, blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    description_fr = models.TextField(_("description (French)"), blank=True)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    room = models.CharField(_("room"), max_length=120, blank=True)
    speakers = models.ManyToManyField(
        "directory.Person", verbose_name=_("speakers"), blank=True, related_name="sessions_spoken"
    )
    moderators = models.ManyToManyField(
        "directory.Person", verbose_name=_("moderators"), blank=True, related_name="sessions_moderated"
    )

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["starts_at", "pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return in_language(self.title_en, self.title_fr)

    @property
    def description(self) -> str:
        return in_language(self.description_en, self.description_fr)


class LetterTemplate(models.Model):
    """A Word template (docxtpl: Jinja placeholders inside the .docx) the secretariat uploads and
    edits in Word. An event may have its own; otherwise the default of its kind and language is used."""

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=LetterKind.choices, default=LetterKind.INVITATION)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    event = models.ForeignKey(
        Event, verbose_name=_("event"), null=True, blank=True, on_delete=models.CASCADE, related_name="letter_templates"
    )
    is_default = models.BooleanField(_("default for its kind and language"), default=False)
    filename = models.CharField(_("file name"), max_length=255)
    content = models.BinaryField(_("Word file"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    class Meta:
        verbose_name = _("letter template")
        verbose_name_plural = _("letter templates")
        ordering = ["kind", "language", "name"]

    def __str__(self) -> str:
        return self.name


class Invitation(models.Model):
    """An invitation to one administration (a country, addressed to a person — usually its NCP).

    The letter is generated from a template in the recipient's language; the assistant may edit the
    wording (`overrides`) or upload a corrected .docx (`letter_docx`) before sending. The invited
    administration answers through its NCPs (signed in) or the single-use link (`token_hash`)."""

    event = models.ForeignKey(Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="invitations")
    country = CountryField(_("country"))
    recipient = models.ForeignKey(
        "directory.Person", verbose_name=_("addressee"), on_delete=models.PROTECT, related_name="event_invitations"
    )
    organisation = models.ForeignKey(
        "directory.Organisation", verbose_name=_("organisation"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    language = models.CharField(_("language"), max_length=2, choices=Language.choices, default=Language.EN)
    status = models.CharField(
        _("status"), max_length=12, choices=InvitationStatus.choices, default=InvitationStatus.DRAFT
    )
    template = models.ForeignKey(
        LetterTemplate, verbose_name=_("template"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    overrides = models.JSONField(_("edited wording"), default=dict, blank=True)
    letter_docx = models.BinaryField(_("edited letter"), null=True, blank=True)
    seats = models.PositiveIntegerField(_("places offered"), default=2)
    reply_by = models.DateField(_("reply by"), null=True, blank=True)
    token_hash = models.CharField(max_length=64, blank=True, db_index=True)
    token_expires_at = models.DateTimeField(null=True, blank=True)
    token_used_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("last reminder"), null=True, blank=True)
    responded_at = models.DateTimeField(_("answered"), null=True, blank=True)
    decline_reason = models.TextField(_("reason for declining"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["country", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["event", "recipient"], name="invitation_event_recipient_unique"),
        ]
        indexes = [models.Index(fields=["country", "status"], name="invitation_country_idx")]

    def __str__(self) -> str:
        return f"{self.event} — {self.country}"


class Registration(models.Model):
    """A participant of an event: nominated by an invited administration, registered by the
    secretariat, or registered by themselves; approved by the secretariat (capacity, waiting list)."""

    event = models.ForeignKey(Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="registrations")
    invitation = models.ForeignKey(
        Invitation, verbose_name=_("invitation"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="registrations",
    )  # fmt: skip
    person = models.ForeignKey(
        "directory.Person", verbose_name=_("contact"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="event_registrations",
    )  # fmt: skip
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("account"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="event_registrations",
    )  # fmt: skip
    status = models.CharField(
        _("status"), max_length=12, choices=RegistrationStatus.choices, default=RegistrationStatus.PENDING
    )
    title = models.CharField(_("title"), max_length=10, blank=True)
    given_name = models.CharField(_("given name"), max_length=100, blank=True)
    family_name = models.CharField(_("family name"), max_length=100)
    position = models.CharField(_("position"), max_length=200, blank=True)
    organisation_name = models.CharField(_("organisation"), max_length=255, blank=True)
    country = CountryField(_("country"))
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    gender = models.CharField(_("gender"), max_length=12, choices=Gender.choices, blank=True)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices, default=Language.EN)
    dietary_needs = models.CharField(_("dietary needs"), max_length=255, blank=True)
    accessibility_needs = models.CharField(_("accessibility needs"), max_length=255, blank=True)
    arrival_on = models.DateField(_("arrival"), null=True, blank=True)
    departure_on = models.DateField(_("departure"), null=True, blank=True)
    funding_requested = models.BooleanField(_("funding requested"), default=False)
    badge_code = models.CharField(_("badge code"), max_length=32, unique=True)
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("nominated by"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    decision_note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["family_name", "given_name", "pk"]
        indexes = [
            models.Index(fields=["event", "status"], name="registration_event_status_idx"),
            models.Index(fields=["country"], name="registration_country_idx"),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.given_name, self.family_name) if p)


class PassportDetails(models.Model):
    """Restricted personal data for visa purposes: seen by `events.personal_data` holders only, never
    by NCPs (not even those who entered it) nor through the API to anyone else; deleted after the
    retention period (`delete_after`) by a daily task."""

    registration = models.OneToOneField(
        Registration, verbose_name=_("registration"), on_delete=models.CASCADE, related_name="passport"
    )
    name_in_passport = models.CharField(_("name as in the passport"), max_length=200)
    number = models.CharField(_("passport number"), max_length=50)
    nationality = CountryField(_("nationality"))
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    issuing_authority = models.CharField(_("issuing authority"), max_length=200, blank=True)
    delete_after = models.DateField(_("delete after"))
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("passport details")
        verbose_name_plural = _("passport details")

    def __str__(self) -> str:
        return str(_("passport details"))


class Attendance(models.Model):
    """A participant's presence at one session (or at the event as a whole when `session` is empty)."""

    registration = models.ForeignKey(
        Registration, verbose_name=_("participant"), on_delete=models.CASCADE, related_name="attendances"
    )
    session = models.ForeignKey(
        Session, verbose_name=_("session"), null=True, blank=True, on_delete=models.CASCADE, related_name="attendances"
    )
    method = models.CharField(_("method"), max_length=4, choices=CheckInMethod.choices, default=CheckInMethod.LIST)
    checked_in_at = models.DateTimeField(_("checked in"), default=timezone.now)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("checked in by"), null=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(
                fields=["registration", "session"], condition=models.Q(session__isnull=False),
                name="attendance_session_unique",
            ),
            models.UniqueConstraint(
                fields=["registration"], condition=models.Q(session__isnull=True), name="attendance_event_unique"
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.registration} @ {self.session or self.registration.event}"


class Certificate(models.Model):
    """A certificate of attendance (bilingual PDF, generated from the stored facts when downloaded)."""

    registration = models.OneToOneField(
        Registration, verbose_name=_("participant"), on_delete=models.CASCADE, related_name="certificate"
    )
    number = models.CharField(_("number"), max_length=40, unique=True)
    issued_at = models.DateTimeField(_("issued"), default=timezone.now)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("issued by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")

    def __str__(self) -> str:
        return self.number


class EvaluationResponse(models.Model):
    """One participant's answers to the evaluation form after a training (questions: `evaluations.QUESTIONS`).
    Summaries are shown without names."""

    event = models.ForeignKey(Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="evaluations")
    registration = models.OneToOneField(
        Registration, verbose_name=_("participant"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="evaluation",
    )  # fmt: skip
    answers = models.JSONField(_("answers"), default=dict)
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now)

    class Meta:
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")

    def __str__(self) -> str:
        return f"{self.event} #{self.pk}"


class TrainingRecord(models.Model):
    """Who was trained, when, on what and by which trainer — for the Programme's indicators (per
    country, agency and gender). Written when a training's certificate is issued, or by hand for a
    training held outside the hub."""

    event = models.ForeignKey(
        Event, verbose_name=_("training"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="training_records",
    )  # fmt: skip
    registration = models.OneToOneField(
        Registration, verbose_name=_("participant"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="training_record",
    )  # fmt: skip
    person = models.ForeignKey(
        "directory.Person", verbose_name=_("contact"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="training_records",
    )  # fmt: skip
    full_name = models.CharField(_("name"), max_length=200)
    country = CountryField(_("country"))
    agency = models.CharField(_("agency"), max_length=255, blank=True)
    gender = models.CharField(_("gender"), max_length=12, choices=Gender.choices, blank=True)
    topic = models.CharField(_("topic"), max_length=255)
    trained_on = models.DateField(_("trained on"))
    trainer = models.CharField(_("trainer"), max_length=200, blank=True)
    trainer_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("trainer account"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("training record")
        verbose_name_plural = _("training records")
        ordering = ["-trained_on", "full_name"]
        indexes = [models.Index(fields=["country", "trained_on"], name="training_country_idx")]

    def __str__(self) -> str:
        return f"{self.full_name} — {self.topic}"


class Operation(models.Model):
    """A PGS operation: its own event (kind `operation`, for the calendar and the bilingual title),
    its time-boxed closed group in the exchange (`community`, kind `operation`), its pre- and
    post-operational meetings (events), the participating countries and targeted precursors."""

    event = models.OneToOneField(Event, verbose_name=_("event"), on_delete=models.PROTECT, related_name="operation")
    code = models.SlugField(_("code name"), max_length=60, unique=True)
    phase = models.CharField(_("phase"), max_length=14, choices=OperationPhase.choices, default=OperationPhase.PLANNING)
    goals_en = models.TextField(_("goals (English)"), blank=True)
    goals_fr = models.TextField(_("goals (French)"), blank=True)
    countries = models.JSONField(_("participating countries"), default=list, blank=True)
    precursors = models.ManyToManyField(
        "reference.CatalogueItem", verbose_name=_("precursors targeted"), blank=True, related_name="operations"
    )
    starts_on = models.DateField(_("active phase starts"))
    ends_on = models.DateField(_("active phase ends"))
    community = models.OneToOneField(
        "directory.Community", verbose_name=_("closed group"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="pgs_operation",
    )  # fmt: skip
    pre_meeting = models.OneToOneField(
        Event, verbose_name=_("pre-operational meeting"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="operation_as_pre_meeting",
    )  # fmt: skip
    post_meeting = models.OneToOneField(
        Event, verbose_name=_("post-operational meeting"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="operation_as_post_meeting",
    )  # fmt: skip
    lessons_en = models.TextField(_("lessons recorded (English)"), blank=True)
    lessons_fr = models.TextField(_("lessons recorded (French)"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("operation")
        verbose_name_plural = _("operations")
        ordering = ["-starts_on", "-pk"]

    def __str__(self) -> str:
        return str(self.event)

    @property
    def goals(self) -> str:
        return in_language(self.goals_en, self.goals_fr)

    @property
    def lessons(self) -> str:
        return in_language(self.lessons_en, self.lessons_fr)


class CalendarFeed(models.Model):
    """A person's subscribable calendar of the events they may see. The URL carries a secret that
    calendar applications send without a session; only its SHA-256 is stored (`core.tokens`), and a
    new one replaces it (the old URL then stops working)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.CASCADE,
        related_name="event_calendar_feed",
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return f"{self.user}"
