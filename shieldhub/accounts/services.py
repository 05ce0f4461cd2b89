from __future__ import annotations

from typing import Any

from django.db import transaction

from shieldhub.accounts.models import User
from shieldhub.core.audit import audit_record


def user_set_language(*, actor: Any, user: User, language: str) -> User:
    if user.language == language:
        return user
    with transaction.atomic():
        before = user.language
        user.language = language
        user.full_clean(exclude=["password"])
        user.save(update_fields=["language"])
        audit_record(
            actor=actor, action="accounts.user.set_language", obj=user, changes={"language": [before, language]}
        )
    return user
