"""Reference tables: WCO regions, countries, HS 2022, the PGS catalogue, currencies.

Loaded from `data/` by `loader.load_reference`; only the catalogue is edited in the application.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from shieldhub.reference.choices import CatalogueCategory, EuAnnex, MemberStatus
from shieldhub.reference.text import fold, hs_display, tidy_decimal
from shieldhub.reference.validators import (
    validate_cas,
    validate_hs6_list,
    validate_text_list,
    validate_un_list,
)


def _in_french() -> bool:
    return (get_language() or "en").lower().startswith("fr")


class WcoRegion(models.Model):
    code = models.CharField(_("code"), max_length=8, primary_key=True)
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_fr = models.CharField(_("name (French)"), max_length=200)

    class Meta:
        verbose_name = _("WCO region")
        verbose_name_plural = _("WCO regions")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        """The name in the active language."""
        return (self.name_fr if _in_french() else self.name_en) or self.name_en


class Country(models.Model):
    code = models.CharField(_("ISO code"), max_length=2, primary_key=True, help_text=_("ISO 3166-1 alpha-2"))
    iso3 = models.CharField(_("ISO alpha-3 code"), max_length=3, blank=True, db_index=True)
    numeric = models.PositiveSmallIntegerField(_("ISO numeric code"), null=True, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_fr = models.CharField(_("name (French)"), max_length=200)
    wco_member = models.BooleanField(_("WCO member"), default=False, db_index=True)
    wco_region = models.ForeignKey(
        WcoRegion,
        verbose_name=_("WCO region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="countries",
    )
    member_status = models.CharField(
        _("WCO membership"), max_length=20, choices=MemberStatus.choices, blank=True, default=MemberStatus.NONE
    )
    # The names folded (lower case, no accents), for accent-insensitive search and sorting on any database.
    sort_en = models.CharField(max_length=200, editable=False, default="", db_index=True)
    sort_fr = models.CharField(max_length=200, editable=False, default="", db_index=True)

    class Meta:
        verbose_name = _("country")
        verbose_name_plural = _("countries")
        ordering = ["sort_en"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        """The name in the active language."""
        return (self.name_fr if _in_french() else self.name_en) or self.name_en

    @staticmethod
    def sort_field() -> str:
        """The column that orders countries by name in the active language."""
        return "sort_fr" if _in_french() else "sort_en"

    @property
    def numeric_code(self) -> str:
        return f"{self.numeric:03d}" if self.numeric is not None else ""


class HsSection(models.Model):
    code = models.CharField(_("section"), max_length=5, primary_key=True, help_text=_("Roman numeral"))
    number = models.PositiveSmallIntegerField(_("number"), unique=True)
    name = models.CharField(_("name"), max_length=300)

    class Meta:
        verbose_name = _("HS section")
        verbose_name_plural = _("HS sections")
        ordering = ["number"]

    def __str__(self) -> str:
        return f"{self.code}. {self.name}"


class HsCode(models.Model):
    """A chapter (2 digits), heading (4) or subheading (6) of the Harmonized System, 2022 edition."""

    code = models.CharField(_("HS code"), max_length=6, primary_key=True)
    description = models.CharField(_("description"), max_length=400)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    level = models.PositiveSmallIntegerField(_("level"), help_text=_("Number of digits: 2, 4 or 6"))
    section = models.ForeignKey(HsSection, verbose_name=_("section"), on_delete=models.PROTECT, related_name="codes")

    class Meta:
        verbose_name = _("HS code")
        verbose_name_plural = _("HS codes")
        ordering = ["code"]
        indexes = [models.Index(fields=["level", "code"], name="ref_hs_level_idx")]

    def __str__(self) -> str:
        return f"{self.display_code} {self.description}"

    @property
    def display_code(self) -> str:
        return hs_display(self.code)


class CatalogueItem(models.Model):
    """An item of the Programme Global Shield catalogue: a precursor chemical or an IED component."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    category = models.CharField(_("category"), max_length=20, choices=CatalogueCategory.choices, db_index=True)
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_fr = models.CharField(_("name (French)"), max_length=200, blank=True)
    formula = models.CharField(_("formula"), max_length=100, blank=True)
    cas = models.CharField(_("CAS number"), max_length=20, blank=True, validators=[validate_cas])
    un_numbers = models.JSONField(_("UN numbers"), default=list, blank=True, validators=[validate_un_list])
    hs_codes = models.JSONField(_("HS 2022 codes"), default=list, blank=True, validators=[validate_hs6_list])
    eu_annex = models.CharField(
        _("EU 2019/1148 annex"), max_length=10, choices=EuAnnex.choices, blank=True, default=EuAnnex.NONE
    )
    eu_limit = models.CharField(_("EU limit"), max_length=200, blank=True)
    synonyms_en = models.JSONField(_("synonyms (English)"), default=list, blank=True, validators=[validate_text_list])
    synonyms_fr = models.JSONField(_("synonyms (French)"), default=list, blank=True, validators=[validate_text_list])
    synonyms_es = models.JSONField(_("synonyms (Spanish)"), default=list, blank=True, validators=[validate_text_list])
    density_kg_per_l = models.DecimalField(
        _("density (kg/L)"),
        max_digits=8,
        decimal_places=4,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("Of the usual commercial grade, to convert litres to kilograms."),
    )
    notes = models.TextField(_("notes"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    search_text = models.TextField(editable=False, blank=True, default="")
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("last updated"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("catalogue item")
        verbose_name_plural = _("catalogue items")
        ordering = ["category", "name_en"]

    def __str__(self) -> str:
        return self.name_en

    @property
    def name(self) -> str:
        """The name in the active language."""
        return (self.name_fr if _in_french() else self.name_en) or self.name_en

    @property
    def density_display(self) -> Decimal | None:
        """The density without trailing zeros (1.41, not 1.4100)."""
        return None if self.density_kg_per_l is None else tidy_decimal(self.density_kg_per_l, 4)

    @property
    def hs_display(self) -> list[str]:
        return [hs_display(c) for c in self.hs_codes or []]

    def all_names(self) -> list[str]:
        """Code, names and synonyms in every language: what `catalogue_match_name` compares against."""
        return [
            self.code,
            self.name_en,
            self.name_fr,
            *(self.synonyms_en or []),
            *(self.synonyms_fr or []),
            *(self.synonyms_es or []),
        ]

    def build_search_text(self) -> str:
        """The folded text searched by `catalogue_list` (names, synonyms, formula, CAS, UN, HS)."""
        parts = [
            *self.all_names(),
            self.formula,
            self.cas,
            *(f"UN{n}" for n in self.un_numbers or []),
            *(self.hs_codes or []),
            *self.hs_display,
        ]
        return "\n".join(fold(str(p)) for p in parts if p)

    def clean(self) -> None:
        super().clean()
        codes = [c for c in self.hs_codes or [] if isinstance(c, str)]
        if codes:
            known = set(HsCode.objects.filter(code__in=codes, level=6).values_list("code", flat=True))
            missing = [hs_display(c) for c in codes if c not in known and len(c) == 6 and c.isdigit()]
            if missing:
                raise ValidationError(
                    {"hs_codes": _("Not in the HS 2022 nomenclature: %(codes)s.") % {"codes": ", ".join(missing)}}
                )


class Currency(models.Model):
    code = models.CharField(_("code"), max_length=3, primary_key=True, help_text=_("ISO 4217"))
    name = models.CharField(_("name"), max_length=200)
    name_fr = models.CharField(_("name (French)"), max_length=200, blank=True)
    numeric = models.CharField(_("numeric code"), max_length=3, blank=True)
    minor_unit = models.PositiveSmallIntegerField(
        _("minor unit"), default=2, help_text=_("Digits after the decimal point")
    )

    class Meta:
        verbose_name = _("currency")
        verbose_name_plural = _("currencies")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} – {self.display_name}"

    @property
    def display_name(self) -> str:
        """The name in the active language."""
        return (self.name_fr if _in_french() else self.name) or self.name
