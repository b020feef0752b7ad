"""Himpun's command line speaks the language of HIMPUN_LANGUAGE (Bahasa Indonesia first)."""

from __future__ import annotations

from django.core.management import call_command, get_commands, load_command_class

from himpun.core.commands import HimpunCommand


def test_every_himpun_command_goes_through_gettext():
    ours = {name: app for name, app in get_commands().items() if app.startswith("himpun.")}
    assert {"import", "import_purge", "duplicates", "generate", "demo"} <= ours.keys()
    for name, app in ours.items():
        assert isinstance(load_command_class(app, name), HimpunCommand), name


def test_the_command_line_speaks_indonesian_or_english(world, settings, capsys):
    call_command("duplicates", "--org", "ORGA")
    assert "ORGA: 0 pasangan baru" in capsys.readouterr().out
    settings.HIMPUN_CLI_LANGUAGE = "en"
    call_command("duplicates", "--org", "ORGA")
    assert "ORGA: 0 new pairs" in capsys.readouterr().out
