"""Chinese first, English available.

Templates and messages are written in Chinese; each part of the app keeps its English
catalogue beside it (``web/<part>/translations/en/LC_MESSAGES/messages.po``). The .po
files are compiled when the app starts and merged into one catalogue per language.
"""

import os
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import request, session
from flask_babel import Babel

LANGUAGES = {"zh_Hans_CN": "中文", "en": "English"}
DEFAULT_LOCALE = "zh_Hans_CN"
WEB = Path(__file__).parent

babel = Babel()


def select_locale() -> str:
    chosen = session.get("lang")
    if chosen in LANGUAGES:
        return chosen
    return request.accept_languages.best_match(["zh", "en"]) == "en" and "en" or DEFAULT_LOCALE


def compile_catalogues(target: Path) -> list[Path]:
    """Compile the .po files that changed into ``target``; returns one translations folder per part."""
    directories = []
    for po in sorted(WEB.glob("*/translations/*/LC_MESSAGES/messages.po")):
        part = po.relative_to(WEB).parts[0]
        mo = target / part / po.relative_to(WEB / part / "translations").with_suffix(".mo")
        directories.append(target / part)
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue  # compiled already
        mo.parent.mkdir(parents=True, exist_ok=True)
        with open(po, "rb") as source:
            catalogue = read_po(source)
        temporary = mo.with_suffix(f".{os.getpid()}.tmp")
        with open(temporary, "wb") as out:
            write_mo(out, catalogue)
        temporary.replace(mo)  # atomic: several workers may start at once
    return sorted(set(directories))


def init_app(app) -> None:
    directories = compile_catalogues(Path(app.instance_path) / "translations")
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = ";".join(str(directory) for directory in directories)
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LOCALE)
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", "Asia/Shanghai")
    babel.init_app(app, locale_selector=select_locale)
