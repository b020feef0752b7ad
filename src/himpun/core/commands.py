"""The base of Himpun's management commands: what they print goes through gettext, in the
language of `HIMPUN_LANGUAGE` (`id`, the default, or `en`), whatever the server's locale."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import translation


class HimpunCommand(BaseCommand):
    def run_from_argv(self, argv: list[str]) -> None:
        with translation.override(settings.HIMPUN_CLI_LANGUAGE):  # --help too
            super().run_from_argv(argv)

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> Any:
        self.help = str(self.help)  # a lazy text, in the language now active: argparse wants str
        return super().create_parser(prog_name, subcommand, **kwargs)

    def execute(self, *args: Any, **options: Any) -> Any:
        with translation.override(settings.HIMPUN_CLI_LANGUAGE):
            return super().execute(*args, **options)
