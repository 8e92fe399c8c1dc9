"""The back office's printable pages of a case: its 暂停计时告知书 and 延期告知书."""

from flask import Blueprint

from engine.roles import ROLES
from web.access import current_actor, require
from web.back_office import service
from web.window.views import helpers, render_notice

# Under /cases/<number>/…, as before the window and the back office were two areas.
bp = Blueprint("back_office", __name__, url_prefix="/cases")
bp.context_processor(helpers)


@bp.route("/<number>/clock-notice/<kind>/<int:index>")
@require(*ROLES)
def clock_notice(number, kind, index):
    """暂停计时告知书 (``suspension``, the n-th stop) or 延期告知书 (``extension``, a decided request)."""
    return render_notice(service.clock_notice(current_actor(), number, kind, index))
