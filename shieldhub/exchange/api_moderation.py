"""`/api/v1/exchange`: moderation. (Contract stub.)"""

from ninja import Router

router = Router(tags=["exchange"])
