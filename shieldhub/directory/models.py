from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from shieldhub.accounts.choices import Language
from shieldhub.directory.choices import (
    CommunityKind,
    MembershipRole,
    NominationRole,
    NominationStatus,
    OrganisationKind,
    Title,
)


class Organisation(models.Model):
    name = models.CharField(_("name"), max_length=255)
    acronym = models.CharField(_("acronym"), max_length=50, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=OrganisationKind.choices, default=OrganisationKind.OTHER)
    country = CountryField(_("country"), blank=True, db_index=True)
    address = models.TextField(_("address"), blank=True)
    website = models.URLField(_("website"), blank=True)
    email = models.EmailField(_("general email"), blank=True)
    phone = models.CharField(_("general phone"), max_length=50, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    search_text = models.TextField(editable=False, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        indexes = [
            models.Index(fields=["kind"], name="dir_org_kind_idx"),
            models.Index(fields=["name"], name="dir_org_name_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.acronym})" if self.acronym else self.name


class Person(models.Model):
    title = models.CharField(_("title"), max_length=10, choices=Title.choices, blank=True)
    given_name = models.CharField(_("given name"), max_length=100, blank=True)
    family_name = models.CharField(_("family name"), max_length=100)
    position = models.CharField(_("position"), max_length=200, blank=True)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="people",
    )
    country = CountryField(_("country"), blank=True, db_index=True)
    email = models.EmailField(_("email"), blank=True, db_index=True)
    other_emails = models.JSONField(_("other emails"), default=list, blank=True)
    phones = models.JSONField(_("phones"), default=list, blank=True)
    languages = models.JSONField(_("languages"), default=list, blank=True, help_text=_("ISO 639-1 codes"))
    preferred_language = models.CharField(
        _("preferred language"), max_length=2, choices=Language.choices, default=Language.EN, db_index=True
    )
    notes = models.TextField(_("notes"), blank=True)
    last_verified_on = models.DateField(_("last verified"), null=True, blank=True, db_index=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
    )
    search_text = models.TextField(editable=False, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["family_name", "given_name", "id"]
        indexes = [
            models.Index(fields=["family_name", "given_name", "id"], name="dir_person_name_idx"),
            models.Index(fields=["organisation", "family_name"], name="dir_person_org_idx"),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.given_name, self.family_name) if p)


class NcpNomination(models.Model):
    person = models.ForeignKey(Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="nominations")
    country = CountryField(_("country"), db_index=True)
    agency = models.ForeignKey(
        Organisation,
        verbose_name=_("agency"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="nominations",
    )
    role = models.CharField(
        _("NCP role"), max_length=10, choices=NominationRole.choices, default=NominationRole.PRIMARY
    )
    nominated_on = models.DateField(_("nominated on"), default=timezone.localdate)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=NominationStatus.choices, default=NominationStatus.NOMINATED, db_index=True
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("NCP nomination")
        verbose_name_plural = _("NCP nominations")
        ordering = ["country", "role", "-nominated_on"]

    def __str__(self) -> str:
        return f"{self.person} – {self.country.code} ({self.get_role_display()})"


class Community(models.Model):
    """A closed user group: the global community, one per WCO region, ad-hoc and operation groups."""

    name = models.CharField(_("name"), max_length=200)
    name_fr = models.CharField(_("name in French"), max_length=200, blank=True)
    slug = models.SlugField(_("short name"), max_length=80, unique=True)
    kind = models.CharField(_("kind"), max_length=12, choices=CommunityKind.choices, default=CommunityKind.ADHOC)
    region = models.CharField(_("WCO region"), max_length=8, blank=True)
    description = models.TextField(_("description"), blank=True)
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    is_archived = models.BooleanField(_("archived"), default=False)
    # Four-eyes: a member's message to this community waits for a moderator's approval.
    requires_moderation = models.BooleanField(
        _("moderated"), default=False, help_text=_("A moderator approves members' messages before they are sent.")
    )
    # Operation groups: the participating countries (ISO codes) and the fields of the short
    # operational-message form the moderators chose (keys of `exchange.operations.FIELDS`).
    countries = models.JSONField(_("participating countries"), default=list, blank=True)
    operation_form = models.JSONField(_("operational form fields"), default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("community")
        verbose_name_plural = _("communities")
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        """The name in the reader's language (French when one is given)."""
        if self.name_fr and (get_language() or "").startswith("fr"):
            return self.name_fr
        return self.name

    @property
    def is_read_only(self) -> bool:
        """An archived community, or an operation group past its end date, takes no new messages."""
        return self.is_archived or (self.ends_on is not None and self.ends_on < timezone.localdate())


class Membership(models.Model):
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=10, choices=MembershipRole.choices, default=MembershipRole.MEMBER)
    joined_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [models.UniqueConstraint(fields=["community", "user"], name="dir_membership_unique")]

    def __str__(self) -> str:
        return f"{self.user} in {self.community}"


class VerificationRequest(models.Model):
    """A one-time link by which a contact confirms or corrects their details without an account."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="verification_requests")
    token_hash = models.CharField(max_length=64, unique=True)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    sent_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("verification request")
        verbose_name_plural = _("verification requests")
        ordering = ["-sent_at"]

    def __str__(self) -> str:
        return f"{self.person} ({self.sent_at:%Y-%m-%d})"
