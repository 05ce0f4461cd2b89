"""Demo data for open-source monitoring: two feeds pointing to local addresses that do not answer
(the feeds page shows their error state; no request leaves the machine) and fifteen articles
entered as if fetched from them or by hand — English and French, three reports of the same
Mombasa seizure and two of a Niger one (grouped as stories; grouping works within a language), some
triaged, one turned into a seizure record draft."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from shieldhub.analysis import osint
from shieldhub.analysis.choices import ItemStatus, SourceKind
from shieldhub.analysis.models import OsintItem, OsintSource

# (feed: 0/1/None for by hand, days ago, language, title, text, url, status)
ITEMS: list[tuple[int | None, int, str, str, str, str, str]] = [
    (0, 6, "en", "Kenya Revenue Authority seizes 12 tonnes of ammonium nitrate at Mombasa port",
     "Officers of the Kenya Revenue Authority seized twelve tonnes of ammonium nitrate hidden in a container "
     "declared as fertiliser and bound for Somalia, the authority said on Monday. The goods were declared under "
     "HS 3102.30.", "http://127.0.0.1:9/news/kra-mombasa-an", ItemStatus.RELEVANT),
    (None, 6, "en", "12 tonnes of ammonium nitrate seized at Mombasa port by Kenya Revenue Authority",
     "The Kenya Revenue Authority said on Monday its officers had seized 12 tonnes of ammonium nitrate in a "
     "container declared as fertiliser bound for Somalia.", "http://127.0.0.1:9/wire/mombasa-12t", ItemStatus.RELEVANT),
    (0, 5, "en", "Ammonium nitrate: Kenya customs seize 12 tonnes in Mombasa container",
     "A container holding 12 tonnes of ammonium nitrate declared as fertiliser was seized in Mombasa, Kenya "
     "customs said. It was bound for Somalia.", "http://127.0.0.1:9/news/mombasa-container", ItemStatus.NEW),
    (1, 4, "fr", "Niger : 800 kg de nitrate d'ammonium saisis à la frontière avec le Nigeria",
     "Les douanes nigériennes ont intercepté un camion transportant 800 kg de nitrate d'ammonium non déclaré "
     "près de Maradi, à la frontière avec le Nigeria.", "http://127.0.0.1:9/fr/niger-an", ItemStatus.NEW),
    (1, 4, "fr", "800 kg de nitrate d'ammonium saisis par les douanes du Niger près de la frontière du Nigeria",
     "Un camion transportant 800 kg de nitrate d'ammonium non déclaré a été intercepté par les douanes "
     "nigériennes près de Maradi, à la frontière avec le Nigeria.", "http://127.0.0.1:9/fr/niger-an-2", ItemStatus.NEW),
    (0, 3, "en", "Detonators found in a bus at the Busia border post",
     "Uganda Revenue Authority officers found 300 electric detonators hidden under seats of a passenger bus "
     "coming from Kenya at the Busia border post.", "http://127.0.0.1:9/news/busia-detonators", ItemStatus.RELEVANT),
    (0, 3, "en", "Port of Rotterdam reports record container volumes",
     "Container volumes rose by four percent in the third quarter, the port authority said.",
     "http://127.0.0.1:9/news/rotterdam-volumes", ItemStatus.NOT_RELEVANT),
    (0, 2, "en", "Hydrogen peroxide theft from a paper mill under investigation in Ghana",
     "Police in Ghana are investigating the theft of 2,000 litres of hydrogen peroxide (50%) from a paper mill "
     "near Tema.", "http://127.0.0.1:9/news/ghana-hp", ItemStatus.NEW),
    (1, 2, "fr", "Sénégal : la douane saisit des cordeaux détonants à Dakar",
     "La douane sénégalaise a saisi 500 mètres de cordeau détonant et des détonateurs dans un conteneur au port "
     "de Dakar.", "http://127.0.0.1:9/fr/dakar-cordeau", ItemStatus.NEW),
    (1, 2, "fr", "Le prix des engrais augmente en Côte d'Ivoire",
     "Les coopératives ivoiriennes s'inquiètent de la hausse du prix des engrais azotés.",
     "http://127.0.0.1:9/fr/engrais-prix", ItemStatus.NOT_RELEVANT),
    (0, 1, "en", "Potassium chlorate seized in Pakistan near the Afghan border",
     "Customs officers in Pakistan seized 1.5 tonnes of potassium chlorate concealed in a truck near the border "
     "with Afghanistan.", "http://127.0.0.1:9/news/pk-chlorate", ItemStatus.NEW),
    (0, 1, "en", "Training on precursor chemicals held for Tanzanian customs officers",
     "Thirty officers of the Tanzania Revenue Authority attended a week-long course on the identification of "
     "precursor chemicals such as ammonium nitrate and nitromethane.", "http://127.0.0.1:9/news/tz-training",
     ItemStatus.NEW),
    (None, 1, "fr", "Mali : saisie de 40 sacs d'engrais au nitrate d'ammonium à Kayes",
     "Les douanes maliennes ont saisi 40 sacs de 50 kg de nitrate d'ammonium à Kayes, près de la frontière "
     "sénégalaise.", "", ItemStatus.NEW),
    (0, 0, "en", "Nitromethane shipment stopped in the Netherlands",
     "Dutch customs stopped a shipment of 200 litres of nitromethane declared as racing fuel additive.",
     "http://127.0.0.1:9/news/nl-nitromethane", ItemStatus.NEW),
    (1, 0, "fr", "Tchad : les douanes renforcent les contrôles à la frontière avec le Niger",
     "Les douanes du Tchad ont annoncé le renforcement des contrôles des engrais et des explosifs à la frontière "
     "avec le Niger.", "http://127.0.0.1:9/fr/tchad-controles", ItemStatus.NEW),
]  # fmt: skip


def load(users: dict[str, Any]) -> None:
    analyst = users["analyst@demo.example"]
    now = timezone.now()
    feeds = [
        osint.source_create(actor=analyst, data={
            "name": "Customs news (demo)", "url": "http://127.0.0.1:9/feed", "language": "en", "interval_minutes": 60}),
        osint.source_create(actor=analyst, data={
            "name": "Actualités des douanes (démo)", "url": "http://127.0.0.1:9/douanes/atom", "language": "fr",
            "interval_minutes": 360}),
    ]  # fmt: skip
    for source in feeds:
        osint.source_fetch(source)  # nothing listens on port 9: the feed shows its error state
    OsintSource.objects.filter(pk=feeds[0].pk).update(last_success_at=now - dt.timedelta(days=2))
    created: list[OsintItem] = []
    for feed, days, language, title, text, url, _status in ITEMS:
        when = now - dt.timedelta(days=days, hours=len(created))
        item = OsintItem.objects.create(
            source=feeds[feed] if feed is not None else None,
            kind=SourceKind.FEED if feed is not None else SourceKind.MANUAL,
            entered_by=None if feed is not None else analyst,
            url=url, guid=url, title=title, text=text, language=language, published_at=when, fetched_at=when,
        )  # fmt: skip
        osint._finish(item)
        created.append(item)
    for item, (*_rest, status) in zip(created, ITEMS, strict=True):
        item.refresh_from_db()
        if status != ItemStatus.NEW and item.group_id is None:
            osint.item_triage(actor=analyst, item=item, status=status)
    osint.item_to_seizure(actor=analyst, item=created[0])
