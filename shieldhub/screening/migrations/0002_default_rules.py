"""The default screening rules (one per rule kind), with weights analysts can change. Copied here
rather than imported: a data migration must not depend on the app's current code."""

from django.db import migrations

RULES = [
    ("first_shipment", "First shipment for a consignee", 15,
     "The consignee has no earlier shipment of catalogue goods on record.",
     "Le destinataire n'a aucune expédition antérieure de marchandises du catalogue.",
     {"catalogue_goods_only": True}),
    ("watch_country", "Route through a watch-list country", 25,
     "The origin, destination or a transit country is on the country watch list.",
     "L'origine, la destination ou un pays de transit figure sur la liste de surveillance des pays.",
     {}),
    ("quantity_above_history", "Quantity far above the consignee's history", 20,
     "The quantity is far above what this consignee usually receives of these goods.",
     "La quantité dépasse largement ce que ce destinataire reçoit habituellement de ces marchandises.",
     {"ratio": 3.0, "min_kg": 100.0}),
    ("hs_mismatch", "Declared HS code inconsistent with the description", 30,
     "The declared HS code does not match the goods the description names.",
     "Le code SH déclaré ne correspond pas aux marchandises nommées dans la désignation.",
     {}),
    ("entity_watch", "Party close to a watch-list entity", 40,
     "The consignee or the exporter is close to a name on the entity watch list.",
     "Le destinataire ou l'expéditeur est proche d'un nom de la liste de surveillance des entités.",
     {"cutoff": 90.0, "parties": ["consignee", "consignor"]}),
    ("precursor_combination", "Precursor combination typical of IED manufacture", 35,
     "The same consignee receives an oxidiser and a fuel (or a detonator) that together make an explosive.",
     "Le même destinataire reçoit un comburant et un combustible (ou un détonateur) qui, ensemble, font un explosif.",
     {}),
    ("earlier_objections", "Objections on earlier shipments", 30,
     "An earlier shipment to this consignee was objected to by the importing country.",
     "Une expédition antérieure vers ce destinataire a fait l'objet d'une objection du pays importateur.",
     {"min_count": 1}),
]  # fmt: skip


def create_rules(apps, schema_editor):
    ScreeningRule = apps.get_model("screening", "ScreeningRule")
    for code, name, weight, en, fr, params in RULES:
        ScreeningRule.objects.get_or_create(
            code=code,
            defaults={"name": name, "weight": weight, "explanation_en": en, "explanation_fr": fr, "parameters": params},
        )


def remove_rules(apps, schema_editor):
    apps.get_model("screening", "ScreeningRule").objects.filter(code__in=[r[0] for r in RULES]).delete()


class Migration(migrations.Migration):
    dependencies = [("screening", "0001_initial")]

    operations = [migrations.RunPython(create_rules, remove_rules)]
