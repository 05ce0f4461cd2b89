"""`/api/v1/exchange`: forwarding. (Contract stub.)"""

from ninja import Router

router = Router(tags=["exchange"])
