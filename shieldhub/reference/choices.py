from django.db import models
from django.utils.translation import gettext_lazy as _


class CatalogueCategory(models.TextChoices):
    """The values of the `category` column of `data/precursors.csv`."""

    PRECURSOR = "precursor", _("Precursor chemical")
    IED_COMPONENT = "ied-component", _("IED component")
    OTHER = "other", _("Other item of concern")


class EuAnnex(models.TextChoices):
    """EU Regulation 2019/1148 on explosives precursors."""

    NONE = "", _("Not listed")
    ANNEX_I = "annex-I", _("Annex I (restricted)")
    ANNEX_II = "annex-II", _("Annex II (reportable)")


class MemberStatus(models.TextChoices):
    NONE = "", _("Not a member")
    MEMBER = "member", _("Member")
    SPECIAL = "special-status", _("Special status")
