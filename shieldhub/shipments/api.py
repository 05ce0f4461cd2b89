"""`/api/v1/shipments`."""

from ninja import Router

router = Router(tags=["shipments"])
