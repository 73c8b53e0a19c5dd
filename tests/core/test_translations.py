"""Every message has both Chinese translations, and the committed .mo files match the .po files."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

LOCALE = Path(__file__).resolve().parents[2] / "locale"
LANGS = ["zh_Hans", "zh_Hant"]


def entries(po_text: str):
    """(msgid, msgstr) pairs of a .po file, joining continued lines; the header is skipped."""
    pairs = []
    for block in po_text.split("\n\n"):
        if "#, fuzzy" in block and 'msgid ""\nmsgstr ""' not in block:
            pairs.append(("<fuzzy>", ""))
        msgid = re.search(r'^msgid ((?:".*"\n?)+)', block, re.M)
        msgstr = re.search(r'^msgstr(?:\[0\])? ((?:".*"\n?)+)', block, re.M)
        if not msgid or not msgstr:
            continue
        join = lambda m: "".join(re.findall(r'"(.*)"', m.group(1)))  # noqa: E731
        if join(msgid) == "":
            continue
        pairs.append((join(msgid), join(msgstr)))
    return pairs


@pytest.mark.parametrize("lang", LANGS)
def test_every_message_is_translated(lang):
    pairs = entries((LOCALE / lang / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8"))
    assert len(pairs) > 300
    missing = [msgid for msgid, msgstr in pairs if not msgstr]
    assert missing == []


@pytest.mark.parametrize("lang", LANGS)
def test_compiled_catalogue_is_up_to_date(lang, tmp_path):
    if not shutil.which("msgfmt"):
        pytest.skip("gettext is not installed")
    po = LOCALE / lang / "LC_MESSAGES" / "django.po"
    out = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "--check-format", "-o", str(out), str(po)], check=True)
    assert out.read_bytes() == (LOCALE / lang / "LC_MESSAGES" / "django.mo").read_bytes(), (
        "Run: manage.py compilemessages -l zh_Hans -l zh_Hant -i .venv"
    )
