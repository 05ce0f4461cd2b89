"""The `shieldhub` command: the project's CLI.

`shieldhub demo`, `worker`, `load-reference`, `token create`, `audit verify`,
`seed-scale`, and every Django management command. `--data-dir DIR` (anywhere
on the line) or `SHIELDHUB_DATA_DIR` picks the data directory, so every
command works on the database `demo` prepared.
"""

from __future__ import annotations

import os
import sys

# Subcommands spelled with dashes map to management commands.
ALIASES = {
    "load-reference": "load_reference",
    "seed-scale": "seed_scale",
    "worker": "worker",
    "matcher-eval": "matcher_eval",
}


def _pop_data_dir(argv: list[str]) -> tuple[list[str], str | None]:
    out: list[str] = []
    data_dir: str | None = None
    it = iter(range(len(argv)))
    skip = False
    for i in it:
        if skip:
            skip = False
            continue
        arg = argv[i]
        if arg == "--data-dir":
            if i + 1 >= len(argv):
                sys.exit("shieldhub: --data-dir needs a folder")
            data_dir = argv[i + 1]
            skip = True
        elif arg.startswith("--data-dir="):
            data_dir = arg.split("=", 1)[1]
        else:
            out.append(arg)
    return out, data_dir


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    args, data_dir = _pop_data_dir(args)
    if data_dir:
        os.environ["SHIELDHUB_DATA_DIR"] = os.path.abspath(data_dir)
    # The CLI is the operator's tool: outside a deployment (which sets SHIELDHUB_ENV=prod)
    # it runs with development defaults; the WSGI entry point defaults to production.
    os.environ.setdefault("SHIELDHUB_ENV", "dev")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    if args and args[0] == "demo":
        os.environ.setdefault("SHIELDHUB_DEMO", "1")
    if args and args[0] in ALIASES:
        args[0] = ALIASES[args[0]]
    if not args:
        args = ["help"]
    from django.core.management import execute_from_command_line

    execute_from_command_line(["shieldhub", *args])


if __name__ == "__main__":
    main()
