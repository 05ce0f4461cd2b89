from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    COORDINATOR = "coordinator", _("Coordinator")
    ANALYST = "analyst", _("Analyst")
    TRAINER = "trainer", _("Trainer")
    ASSISTANT = "assistant", _("Project assistant")
    NCP = "ncp", _("National Contact Point")
    PARTNER = "partner", _("Partner liaison")
    DONOR = "donor", _("Donor")
    ADMIN = "admin", _("Administrator")


SECRETARIAT_ROLES = frozenset({Role.COORDINATOR, Role.ANALYST, Role.TRAINER, Role.ASSISTANT})


class PartnerOrganisation(models.TextChoices):
    INTERPOL = "interpol", "INTERPOL"
    UNODC = "unodc", "UNODC"


class Language(models.TextChoices):
    EN = "en", _("English")
    FR = "fr", _("French")


class TokenScope(models.TextChoices):
    READ = "read", _("Read")
    WRITE = "write", _("Write")


class InvitationStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    ACCEPTED = "accepted", _("Accepted")
    EXPIRED = "expired", _("Expired")
    REVOKED = "revoked", _("Revoked")
