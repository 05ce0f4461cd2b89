"""`/api/v1/exchange`: attachments. (Contract stub.)"""

from ninja import Router

router = Router(tags=["exchange"])
