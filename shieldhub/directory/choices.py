from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class OrganisationKind(models.TextChoices):
    CUSTOMS = "customs", _("Customs administration")
    POLICE = "police", _("Police")
    INTERNATIONAL = "international", _("International organisation")
    PRIVATE = "private", _("Private sector")
    DONOR = "donor", _("Donor")
    SUPPLIER = "supplier", _("Supplier")
    TRAINING = "training", _("Training institution")
    OTHER = "other", _("Other")


class Title(models.TextChoices):
    MR = "mr", _("Mr")
    MS = "ms", _("Ms")
    MRS = "mrs", _("Mrs")
    DR = "dr", _("Dr")
    PROF = "prof", _("Prof.")
    NONE = "", _("(none)")


class NominationRole(models.TextChoices):
    PRIMARY = "primary", _("Primary")
    ALTERNATE = "alternate", _("Alternate")


class NominationStatus(models.TextChoices):
    # With a context: French agrees these with "la désignation".
    NOMINATED = "nominated", pgettext_lazy("nomination status", "Nominated")
    ACTIVE = "active", pgettext_lazy("nomination status", "Active")
    LAPSED = "lapsed", pgettext_lazy("nomination status", "Lapsed")
    WITHDRAWN = "withdrawn", pgettext_lazy("nomination status", "Withdrawn")


class CommunityKind(models.TextChoices):
    GLOBAL = "global", _("Global PGS community")
    REGIONAL = "regional", _("WCO region")
    ADHOC = "adhoc", _("Ad-hoc group")
    OPERATION = "operation", _("Operation group")


class MembershipRole(models.TextChoices):
    MEMBER = "member", _("Member")
    MODERATOR = "moderator", _("Moderator")
