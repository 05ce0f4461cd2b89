"""`shieldhub token create|list|revoke`: personal API tokens from the command line.

`token create EMAIL` prints the new token, and nothing else, on stdout so scripts can capture
it (`TOKEN=$(shieldhub token create me@example.org --scope read)`); messages go to stderr.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from shieldhub.accounts import selectors, services
from shieldhub.accounts.choices import TokenScope


class Command(BaseCommand):
    help = "Create, list and revoke personal API tokens."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Create a token; prints it alone on stdout.")
        create.add_argument("email")
        create.add_argument(
            "--scope",
            action="append",
            choices=TokenScope.values,
            dest="scopes",
            help="read (default) or write; repeat for both. Write includes read.",
        )
        create.add_argument("--name", default="Command-line token")
        create.add_argument("--days", type=int, default=settings.API_TOKEN_DEFAULT_DAYS)
        listing = sub.add_parser("list", help="List a person's tokens (never the secret part).")
        listing.add_argument("email")
        revoke = sub.add_parser("revoke", help="Revoke the token whose visible prefix is given.")
        revoke.add_argument("prefix")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "create":
            self._create(options)
        elif action == "list":
            self._list(options["email"])
        else:
            self._revoke(options["prefix"])

    def _create(self, options: dict[str, Any]) -> None:
        user = selectors.operator_user_get(email=options["email"])
        if user is None:
            raise CommandError(f"No account with the address {options['email']}.")
        if not user.is_active:
            raise CommandError(f"The account {user.email} is deactivated.")
        try:
            token, raw = services.api_token_create(
                actor=None,
                user=user,
                name=options["name"],
                scopes=options["scopes"] or [TokenScope.READ],
                expires_in_days=options["days"],
            )
        except (ValidationError, PermissionDenied) as exc:
            messages = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
            raise CommandError(" ".join(str(m) for m in messages)) from exc
        self.stderr.write(
            f"Token {token.prefix}… for {user.email} ({', '.join(token.scopes)}), "
            f"expires {token.expires_at:%Y-%m-%d}. It is shown once:"
        )
        self.stdout.write(raw)

    def _list(self, email: str) -> None:
        if selectors.operator_user_get(email=email) is None:
            raise CommandError(f"No account with the address {email}.")
        tokens = list(selectors.operator_api_token_list(email=email))
        if not tokens:
            self.stderr.write(f"{email} has no API tokens.")
            return
        for token in tokens:
            state = "revoked" if token.revoked_at else ("expired" if token.is_expired else "active")
            expires = f"{token.expires_at:%Y-%m-%d}" if token.expires_at else "never"
            last = f"{token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else "never"
            self.stdout.write(
                f"{token.prefix}\t{state}\t{','.join(token.scopes)}\texpires {expires}\tlast used {last}\t{token.name}"
            )

    def _revoke(self, prefix: str) -> None:
        if len(prefix) < 8:
            raise CommandError("Give at least the first 8 characters of the token (e.g. gsh_abcd).")
        matches = list(selectors.operator_api_token_find(prefix=prefix))
        if not matches:
            raise CommandError(f"No token starts with {prefix}.")
        if len(matches) > 1:
            raise CommandError(f"{len(matches)} tokens start with {prefix}; give more characters.")
        token = services.api_token_revoke(actor=None, token=matches[0])
        self.stderr.write(f"Revoked {token.prefix}… ({token.name}) of {token.user.email}.")
