"""`/api/v1/analysis`: dashboard figures, country profiles, open-source items, indicators and donor reports."""

from ninja import Router

from shieldhub.analysis import api_dashboards, api_osint, api_reports

router = Router(tags=["analysis"])
router.add_router("", api_dashboards.router)
router.add_router("", api_osint.router)
router.add_router("", api_reports.router)
