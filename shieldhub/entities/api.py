"""`/api/v1/entities`."""

from ninja import Router

router = Router(tags=["entities"])
