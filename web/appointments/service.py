"""What the appointment pages and API both use (through ``CaseEngine.appointments``)."""

from datetime import date

from engine.errors import InvalidInput
from web.access import case_engine

READ_LIMIT, READ_SCOPE = "60 per minute", "public_appointment_slots"
# Booking and cancelling without sign-in: a person books a few times, not a script.
BOOK_LIMIT, BOOK_SCOPE = "10 per minute", "public_appointment_book"


def book():
    return case_engine().appointments


def day_argument(value, default: date) -> date:
    if not value:
        return default
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"'{value[:20]}' 不是日期 ('{value[:20]}' is not a date, YYYY-MM-DD)", field="date") from None


def form_number(value):
    """A whole number as a page posts it (text: an id, a capacity); anything else is left for the engine to refuse."""
    return int(value) if isinstance(value, str) and value.isdigit() and len(value) <= 10 else value
