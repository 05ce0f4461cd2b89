from django.db import models
from django.utils.translation import gettext_lazy as _


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
    NOMINATED = "nominated", _("Nominated")
    ACTIVE = "active", _("Active")
    LAPSED = "lapsed", _("Lapsed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class CommunityKind(models.TextChoices):
    GLOBAL = "global", _("Global PGS community")
    REGIONAL = "regional", _("WCO region")
    ADHOC = "adhoc", _("Ad-hoc group")
    OPERATION = "operation", _("Operation group")


class MembershipRole(models.TextChoices):
    MEMBER = "member", _("Member")
    MODERATOR = "moderator", _("Moderator")
