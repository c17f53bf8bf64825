"""The Welsh catalogues (locale/): complete, current and compilable."""

import shutil

import polib
import pytest
from django.conf import settings
from django.core.management import call_command

CATALOGUES = [
    settings.BASE_DIR / "locale" / "cy" / "LC_MESSAGES" / "django.po",
    settings.BASE_DIR / "locale" / "vendor" / "cy" / "LC_MESSAGES" / "django.po",
]
IGNORED = [".venv", "node_modules", "bench", "tests", "staticfiles", "run"]


def unfinished(po: polib.POFile) -> list[str]:
    entries = po.untranslated_entries() + po.fuzzy_entries() + po.obsolete_entries()
    return [entry.msgid for entry in entries]


@pytest.mark.parametrize("path", CATALOGUES, ids=["ours", "vendor"])
def test_every_welsh_entry_is_translated_and_none_is_fuzzy(path):
    po = polib.pofile(path)
    assert len(po) > 100
    assert unfinished(po) == [], (
        f"{path.relative_to(settings.BASE_DIR)}: translate these (docs/cy-glossary.md), "
        "then `make install` compiles them"
    )


@pytest.mark.parametrize("path", CATALOGUES, ids=["ours", "vendor"])
def test_welsh_catalogue_uses_djangos_welsh_plural_rule(path):
    header = polib.pofile(path).metadata
    assert header["Language"] == "cy"
    assert header["Plural-Forms"] == (
        "nplurals=4; plural=(n==1) ? 0 : (n==2) ? 1 : (n != 8 && n != 11) ? 2 : 3;"
    )


def test_catalogue_holds_every_string_the_code_marks(tmp_path, settings, monkeypatch):
    """A string marked in code or templates but missing from the catalogue renders in English:
    run `make messages` and translate the new entries."""
    # makemessages writes beside the sources it reads: give it a tree of links to ours, with a
    # copy of the catalogue, so the real one is never touched.
    for source in settings.BASE_DIR.iterdir():
        if source.name not in {"locale", ".git", *IGNORED} and not source.name.startswith("."):
            (tmp_path / source.name).symlink_to(source)
    fresh = tmp_path / "locale" / "cy" / "LC_MESSAGES" / "django.po"
    fresh.parent.mkdir(parents=True)
    ours = CATALOGUES[0]
    shutil.copy(ours, fresh)
    settings.LOCALE_PATHS = []
    monkeypatch.chdir(tmp_path)
    call_command(
        "makemessages",
        locale=["cy"],
        ignore_patterns=IGNORED,
        symlinks=True,
        no_obsolete=True,
        verbosity=0,
    )
    extracted = {(e.msgctxt, e.msgid) for e in polib.pofile(fresh)}
    committed = {(e.msgctxt, e.msgid) for e in polib.pofile(ours)}
    assert sorted(extracted - committed, key=str) == [], "missing: run `make messages`"
    assert sorted(committed - extracted, key=str) == [], "stale: run `make messages`"
