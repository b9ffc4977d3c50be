"""Chinese by default whatever the browser says, English from the switch, complete catalogues."""

import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.urls import reverse

LOCALE = Path(settings.LOCALE_PATHS[0])
SOURCE = LOCALE.parent


def _untranslated(po):
    return [
        e.msgid
        for e in po
        if not e.obsolete
        and ("fuzzy" in e.flags or not (e.msgstr or any(e.msgstr_plural.values())))
    ]


def test_every_chinese_string_is_translated():
    po = polib.pofile(str(LOCALE / "zh_Hans/LC_MESSAGES/django.po"))
    assert len(po) > 100
    assert _untranslated(po) == []


def test_placeholders_survive_translation():
    po = polib.pofile(str(LOCALE / "zh_Hans/LC_MESSAGES/django.po"))
    import re

    for entry in po:
        wanted = sorted(re.findall(r"%\(\w+\)[sdr]", entry.msgid))
        for text in [entry.msgstr, *entry.msgstr_plural.values()]:
            if text:
                assert sorted(re.findall(r"%\(\w+\)[sdr]", text)) == wanted, entry.msgid


@pytest.mark.skipif(
    not shutil.which("xgettext"), reason="needs gettext's xgettext (CI installs it)"
)
def test_catalogues_hold_every_string_in_the_source(tmp_path):
    """Extract the strings afresh from a copy of the source and compare with the catalogues:
    a new string that nobody added to the .po files fails here."""
    copy = tmp_path / "qunfang"
    shutil.copytree(SOURCE, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    subprocess.run(
        # from the copy's parent: `qunfang` is then the copy, not the installed package
        [
            sys.executable,
            "-m",
            "django",
            "makemessages",
            "-l",
            "zh_Hans",
            "-l",
            "en",
            "--no-location",
        ],
        cwd=tmp_path,
        check=True,
        capture_output=True,
        env={**__import__("os").environ, "DJANGO_SETTINGS_MODULE": "qunfang.test_settings"},
    )
    for language in ("zh_Hans", "en"):
        fresh = {
            e.msgid
            for e in polib.pofile(str(copy / f"locale/{language}/LC_MESSAGES/django.po"))
            if not e.obsolete
        }
        committed = {
            e.msgid
            for e in polib.pofile(str(LOCALE / f"{language}/LC_MESSAGES/django.po"))
            if not e.obsolete
        }
        assert fresh - committed == set(), f"run `make messages` and translate ({language})"


@pytest.mark.django_db
def test_chinese_is_the_default_even_for_an_english_browser(client):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    body = response.content.decode()
    assert response["Content-Language"] == "zh-hans"
    assert "登录" in body and 'lang="zh-CN"' in body


@pytest.mark.django_db
def test_the_switch_turns_the_interface_english_and_back(world, client):
    client.force_login(world.director1)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    body = client.get("/").content.decode()
    assert "Sign out" in body and "Village security director" in body and "退出" not in body
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    assert "退出" in client.get("/").content.decode()


@pytest.mark.django_db
def test_an_unknown_language_cookie_falls_back_to_chinese(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "xx-evil"
    assert "登录" in client.get(reverse("login")).content.decode()
