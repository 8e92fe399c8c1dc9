"""The clock panel of a back-office task page: 暂停计时 and 申请延期 forms where the step allows
them, the case's suspension and extension history, what a 恢复计时 or 延期审批 task decides, and
why a decision waits (the clock is stopped, or the chief has yet to answer an extension request)."""

from dataclasses import dataclass
from datetime import date

from flask import request

from engine import casefile, permissions
from engine.actor import Actor
from engine.errors import OneWindowError
from engine.taskfile import TaskDetail
from engine.tasks.models import OPEN, HumanTask
from engine.workflow.properties import CLOCK_STOPPABLE, EXTENSION_DECIDED, RESUMED
from web.back_office.service import SUSPENSION_CHOICES, may_extend

SUSPEND, EXTEND = "suspend", "extension"


@dataclass(frozen=True)
class ClockPanel:
    actions: bool  # show the 暂停计时 / 申请延期 forms
    suspended: bool
    may_extend: bool
    kinds: tuple[str, ...]
    records: casefile.BackOfficeRecords
    ending: casefile.Suspension | None  # the suspension a 恢复计时 task ends
    deciding: casefile.Extension | None  # the request an 延期审批 task answers
    refused_form: str | None
    refusal: OneWindowError | None
    values: dict
    held_by: HumanTask | None  # the open task this step's form waits for
    held_since: date | None  # when the clock stopped, if that is why it waits


def clock_panel(actor: Actor, detail: TaskDetail, refused: tuple[str, OneWindowError] | None) -> ClockPanel:
    task, found = detail.task, detail.records
    open_suspension = next((row for row in found.suspensions if row.ended_on is None), None)
    pending = next((row for row in found.extensions if row.decision is None), None)
    # The model marks the steps during which the back office may stop the clock or ask for more time.
    actions = task.clock == CLOCK_STOPPABLE and permissions.may_act_on_clock(
        actor, detail.case, [task] if task.state == OPEN else []).allowed
    return ClockPanel(actions=actions, suspended=detail.case.suspended_since is not None, may_extend=may_extend(found),
                      kinds=SUSPENSION_CHOICES, records=found,
                      ending=open_suspension if task.milestone == RESUMED else None,
                      deciding=pending if task.milestone == EXTENSION_DECIDED else None,
                      refused_form=refused[0] if refused else None, refusal=refused[1] if refused else None,
                      values=dict(request.form) if refused else {}, held_by=detail.held_by,
                      held_since=detail.case.suspended_since if detail.held_by is not None
                      and detail.held_by.milestone == RESUMED else None)
