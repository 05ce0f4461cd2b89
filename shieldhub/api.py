"""The HTTP API root: `/api/v1/`, django-ninja, one router per app."""

from shieldhub.core.api import build_api

api = build_api()
