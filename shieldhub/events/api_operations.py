"""`/api/v1/events` routes for operations (mounted by `events/api.py`)."""

from ninja import Router

router = Router(tags=["events"])
