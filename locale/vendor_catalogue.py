"""Refresh locale/vendor/cy/LC_MESSAGES/django.po: the strings of django-allauth's account pages and
django-filter, which ship no Welsh catalogue, and the visitor-facing strings Django's own Welsh
catalogue lacks (password rules, form and pagination errors, the CSRF failure page).

Run by `make messages`. The msgids come from each library's own English (allauth) or German
(django-filter) catalogue, so they match the installed version; our existing Welsh msgstrs are kept,
new msgids arrive untranslated (tests/test_translations.py then fails until they are translated).
Only allauth's account and layout strings are taken: mfa, socialaccount, idp and usersessions are
not installed here.
"""

import sys
from pathlib import Path

import allauth
import django
import django_filters
import polib

HERE = Path(__file__).resolve().parent
TARGET = HERE / "vendor" / "cy" / "LC_MESSAGES" / "django.po"
ALLAUTH_PREFIXES = ("account/", "templates/account/", "templates/allauth/", "core/", "app_settings")
# Django's untranslated strings people can meet on our pages (not the admin's or developers').
DJANGO_PREFIXES = (
    "core/",
    "forms/",
    "utils/",
    "views/csrf.py",
    "contrib/auth/forms.py",
    "contrib/auth/password_validation.py",
    "contrib/auth/validators.py",
)
PLURAL_FORMS = "nplurals=4; plural=(n==1) ? 0 : (n==2) ? 1 : (n != 8 && n != 11) ? 2 : 3;"


def django_entries():
    root = Path(django.__file__).parent
    for catalogue in ("conf/locale", "contrib/auth/locale"):
        english = polib.pofile(root / catalogue / "en" / "LC_MESSAGES" / "django.po")
        welsh = polib.pofile(root / catalogue / "cy" / "LC_MESSAGES" / "django.po")
        done = {(e.msgctxt, e.msgid) for e in welsh if e.translated()}
        for entry in english:
            if (entry.msgctxt, entry.msgid) not in done and any(
                path.startswith(DJANGO_PREFIXES) for path, _line in entry.occurrences
            ):
                yield "django", entry


def source_entries():
    yield from django_entries()
    allauth_po = polib.pofile(
        Path(allauth.__file__).parent / "locale" / "en" / "LC_MESSAGES" / "django.po"
    )
    for entry in allauth_po:
        if not entry.obsolete and any(
            path.startswith(ALLAUTH_PREFIXES) for path, _line in entry.occurrences
        ):
            yield "allauth", entry
    filters_po = polib.pofile(
        Path(django_filters.__file__).parent / "locale" / "de" / "LC_MESSAGES" / "django.po"
    )
    for entry in filters_po:
        if not entry.obsolete:
            yield "django-filter", entry


def main() -> int:
    old = polib.pofile(TARGET) if TARGET.exists() else polib.POFile()
    known = {(e.msgctxt, e.msgid): e for e in old}
    new = polib.POFile(wrapwidth=79)
    new.metadata = {
        "Project-Id-Version": "Commons (vendor strings)",
        "Language": "cy",
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
        "Plural-Forms": PLURAL_FORMS,
    }
    seen = set()
    for library, src in source_entries():
        key = (src.msgctxt, src.msgid)
        if key in seen:
            continue
        seen.add(key)
        entry = polib.POEntry(
            msgid=src.msgid,
            msgctxt=src.msgctxt,
            msgid_plural=src.msgid_plural,
            comment=library,
            occurrences=src.occurrences,
            flags=[f for f in src.flags if f.endswith("-format")],
        )
        previous = known.get(key)
        if src.msgid_plural:
            entry.msgstr_plural = (
                dict(previous.msgstr_plural) if previous else dict.fromkeys(range(4), "")
            )
        else:
            entry.msgstr = previous.msgstr if previous else ""
        new.append(entry)
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    new.save(TARGET)
    print(
        f"{TARGET.relative_to(HERE.parent)}: {len(new)} entries, "
        f"{len(new.untranslated_entries())} untranslated"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
