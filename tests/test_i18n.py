"""Chinese first, English on request: every message of every page has its English."""

from pathlib import Path

from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po

from tests.helpers import intake, person

WEB = Path(__file__).parents[1] / "web"


def _english() -> dict[str, str]:
    translated = {}
    for po in WEB.glob("*/translations/en/LC_MESSAGES/messages.po"):
        with open(po, "rb") as source:
            translated |= {message.id: message.string for message in read_po(source) if message.id}
    return translated


def _messages() -> dict[str, str]:
    """Every message id in the templates and the web code, with where it is first used."""
    found = {}
    sources = [(path, "jinja2") for path in (WEB / "templates").rglob("*.html")]
    sources += [(path, "python") for path in WEB.rglob("*.py")]
    for path, method in sources:
        for line, message, _comments, _context in extract_from_file(method, str(path)):
            message_id = message if isinstance(message, str) else message[0]
            found.setdefault(message_id, f"{path.relative_to(WEB)}:{line}")
    return found


def test_every_message_has_its_english():
    english = _english()
    missing = {message: where for message, where in _messages().items() if not english.get(message)}
    assert not missing, f"no English for: {missing}"


def test_the_window_pages_in_english_and_the_notice_in_chinese(sign_in, engine):
    clerk = sign_in("clerk1")
    clerk.get("/lang/en")
    assert "New application: choose the service item" in clerk.get("/cases/").data.decode()
    case = engine.create_case(engine_actor(engine, "clerk1"), "SCJG-002", person(), intake(engine, "SCJG-002"))
    notice = clerk.get(f"/cases/{case.number}/notice").data.decode()
    # An official notice prints in Chinese whatever the interface language (issue 19, point 10).
    assert "本机关承诺于" in notice and "（印章）" in notice and "This office promises" not in notice
    assert "Application materials" in clerk.get(f"/cases/{case.number}").data.decode()


def test_the_ledger_page_in_english(sign_in):
    supervisor = sign_in("supervisor")
    supervisor.get("/lang/en")
    page = supervisor.get("/ledger/").data.decode()
    assert "Record an entry" in page and "Allowance (yuan)" in page and "考核得分" not in page


def test_the_statistics_table_in_english(sign_in):
    from engine.statistics import COLUMNS

    supervisor = sign_in("supervisor")
    supervisor.get("/lang/en")
    page = supervisor.get("/reports/").data.decode()
    table = page[page.index('<table class="report">'):page.index("</thead>")]
    assert "On-time rate (%)" in table and "Parcels on time (%)" in table
    assert not [heading for heading, _attribute in COLUMNS if f"<th>{heading}</th>" in table], table


def engine_actor(engine, username):
    from tests.conftest import actors

    return actors(engine)[username]
