"""Every table of the engine, imported in one place for Alembic and for tests."""

from engine.appointments.models import Appointment, AppointmentSlot
from engine.attendance.models import AttendanceDay, AttendanceRecord, WorkingHours
from engine.audit.models import AuditEntry
from engine.calendar.models import CalendarDay, CalendarYear
from engine.cases.models import Case, CaseCounter, IdempotencyKey
from engine.catalogue.models import Department, ItemCoDepartment, ItemMaterial, ServiceItem
from engine.clockstop.models import CaseExtension, ClockSuspension
from engine.commitments.models import Commitment
from engine.db import Base
from engine.decisions.models import DecisionDocument, DocumentCounter, RefusalRecord
from engine.delivery.models import PostalParcel
from engine.enquiries.models import Enquiry, EnquiryCounter, EnquiryReferral
from engine.joint.models import JointOpinion
from engine.lease import Lease
from engine.leave.models import LeaveRequest
from engine.ledger.models import LedgerEntry, LedgerRule
from engine.outbox.models import OutboxDelivery, OutboxEvent
from engine.preapplications.models import PreApplication
from engine.service_accounts.models import ServiceAccount, ServiceToken
from engine.staff.models import (
    ApiToken,
    ChiefAuthorisation,
    PostAbsence,
    ServiceWindow,
    SignInFailure,
    Staff,
    StaffRuleOverride,
)
from engine.supervision.models import CaseRating, Complaint, ComplaintCounter, Rectification
from engine.tasks.models import HumanTask
from engine.workflow.models import ProcessVersion, WorkflowState, WorkflowTask

__all__ = [
    "AuditEntry", "Base", "CalendarDay", "CalendarYear", "Case", "CaseCounter", "Department", "HumanTask",
    "ItemCoDepartment", "ItemMaterial", "Lease", "LedgerEntry", "LedgerRule", "ProcessVersion", "ServiceItem", "Staff", "WorkflowState", "WorkflowTask",
    "CaseRating", "Complaint", "ComplaintCounter", "Rectification", "PostAbsence", "ServiceWindow",
    "CaseExtension", "ClockSuspension", "Commitment", "JointOpinion", "PostalParcel", "IdempotencyKey",
    "ChiefAuthorisation", "StaffRuleOverride",
    "ApiToken", "SignInFailure", "DecisionDocument", "DocumentCounter", "RefusalRecord",
    "AttendanceDay", "AttendanceRecord", "WorkingHours", "LeaveRequest", "OutboxEvent", "OutboxDelivery",
    "Enquiry", "EnquiryCounter", "EnquiryReferral", "Appointment", "AppointmentSlot",
    "PreApplication", "ServiceAccount", "ServiceToken",
]
