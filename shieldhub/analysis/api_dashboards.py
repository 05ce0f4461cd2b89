"""`/api/v1/analysis` routes for dashboards (mounted by `analysis/api.py`)."""

from ninja import Router

router = Router(tags=["analysis"])
