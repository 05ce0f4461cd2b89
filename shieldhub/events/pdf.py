"""PDF documents of the events app (agenda, participant lists, badges, certificates, final reports):
HTML rendered from a print-only template and converted by WeasyPrint.

`render_pdf(template_name, context, language)` renders the template with `language` active (dates,
numbers and `{% translate %}` in that language) and returns the PDF bytes. Print templates are
standalone HTML (not extending base.html); they may carry their CSS in a `<style>` element (the
Content-Security-Policy of the site does not apply to WeasyPrint's input) and should use the
"DejaVu Sans" font, which is installed with the system. Nothing is fetched from the network: only
`file://` resources under the app's static directory (the `base_url`) are loaded.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from django.template.loader import render_to_string
from django.utils import translation

STATIC_DIR = Path(__file__).resolve().parent / "static"


# WeasyPrint logs each rendering step at INFO; keep the logs for warnings (missing fonts, bad CSS).
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


def render_html(template_name: str, context: dict[str, Any], language: str) -> str:
    """The print HTML of `template_name` rendered in `language`."""
    with translation.override(language):
        return render_to_string(template_name, {**context, "LANGUAGE_CODE": language})


def html_to_pdf(html: str) -> bytes:
    import weasyprint  # imported late: loading Pango takes time and is only needed for PDFs

    fetcher = weasyprint.URLFetcher(allowed_protocols=("file", "data"), timeout=5)  # never the network
    document = weasyprint.HTML(string=html, base_url=STATIC_DIR.as_uri() + "/", url_fetcher=fetcher)
    return document.write_pdf()  # type: ignore[no-any-return]


def render_pdf(template_name: str, context: dict[str, Any], language: str) -> bytes:
    """The PDF of `template_name` rendered with `context` in `language` ("en" or "fr")."""
    return html_to_pdf(render_html(template_name, context, language))
