"""`/api/v1/exchange`: notifications. (Contract stub.)"""

from ninja import Router

router = Router(tags=["exchange"])
