"""What the enquiry pages and API both do (through ``CaseEngine.enquiries``): the forms' fields, and the
public ask's and lookup's rate limits."""

from flask_babel import gettext as _
from sqlalchemy import select

from engine.catalogue.models import ServiceItem
from web.access import case_engine

# The public ask and lookup share one budget per client address;
ASK_LIMIT, ASK_SCOPE = "10 per minute", "public_enquiry"
# the lookup also one per receipt number, spent by wrong answers only (as the progress lookup's).
NUMBER_LIMIT, NUMBER_SCOPE = "5 per day", "public_enquiry_number"
REGISTER_FIELDS = ("channel", "asker_name", "asker_phone", "item_code", "question")
ASK_FIELDS = ("asker_name", "asker_phone", "item_code", "question")


def book():
    return case_engine().enquiries


def form_fields(form, names) -> dict:
    """A page form's fields for the engine, blanks as None (the engine names what is missing)."""
    return {name: (form.get(name) or "").strip() or None for name in names}


def referral_days(value):
    """The form's days as a number when it is one; anything else goes to the engine, which names it."""
    text = (value or "").strip()
    return int(text) if text.isdigit() and len(text) < 4 else text or None


def number_rests() -> str:
    return _("此咨询编号今日查询错误次数过多，请明日再试或拨打咨询电话")


def item_choices() -> list[tuple[str, str, str]]:
    """(code, name, department) of the catalogue's active items, for the forms' item list."""
    with case_engine().session() as session:
        return [tuple(row) for row in session.execute(select(ServiceItem.code, ServiceItem.name,
                                                             ServiceItem.department_code)
                                                      .where(ServiceItem.active.is_(True)).order_by(ServiceItem.code))]
