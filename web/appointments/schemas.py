"""JSON shapes of the appointments API (marshmallow). Class names are unique across the API."""

from marshmallow import Schema, fields, validate

from engine.appointments.service import CHANNELS, MAX_CAPACITY, STAFF_CHANNELS, STATES
from engine.validation import MAX_ID

APPLICANT = ("kind, name, id_type, id_number, phone, optional email and contact_name (an organization's): "
             "checked as at the window's intake")


class FreePlacesQuery(Schema):
    item = fields.Str(required=True, validate=validate.Length(1, 32), metadata={"label": "办理事项"})
    date = fields.Date(required=True, metadata={"label": "预约日期"})


class FreePlaceRow(Schema):
    slot_id = fields.Int()
    window_code = fields.Str()
    window_name = fields.Str()
    starts_at = fields.Str(metadata={"description": "HH:MM, Beijing time"})
    ends_at = fields.Str(metadata={"description": "HH:MM, Beijing time"})
    capacity = fields.Int()
    free = fields.Int(metadata={"description": "places left"})


class NewOnlineAppointment(Schema):
    item_code = fields.Str(required=True, validate=validate.Length(1, 32), metadata={"label": "办理事项"})
    date = fields.Date(required=True, metadata={"label": "预约日期"})
    slot_id = fields.Int(required=True, strict=True, validate=validate.Range(1, MAX_ID), metadata={"label": "预约时段"})
    applicant = fields.Dict(required=True, metadata={"label": "申请人", "description": APPLICANT})


class NewStaffAppointment(NewOnlineAppointment):
    channel = fields.Str(required=True, validate=validate.OneOf(STAFF_CHANNELS), metadata={
        "label": "预约方式", "description": "phone (电话预约) or in_person (当面预约)"})


class AppointmentCancellation(Schema):
    code = fields.Str(required=True, validate=validate.Length(1, 20), metadata={"label": "预约码"})
    phone = fields.Str(required=True, validate=validate.Length(1, 20), metadata={"label": "手机号"})


class AppointmentDayQuery(Schema):
    date = fields.Date(required=True, metadata={"label": "预约日期"})
    window = fields.Str(load_default=None, validate=validate.Length(1, 16), metadata={"label": "窗口"})


class AppointmentRow(Schema):
    """An appointment (dumped from engine.appointment_book.AppointmentLine); numbers masked but for the window."""

    id = fields.Int(attribute="appointment.id")
    code = fields.Str(attribute="appointment.code", metadata={"description": "the booking code the applicant holds"})
    state = fields.Str(attribute="appointment.state", metadata={"description": ", ".join(STATES)})
    channel = fields.Str(attribute="appointment.channel", metadata={"description": ", ".join(CHANNELS)})
    date = fields.Date(attribute="appointment.day")
    starts_at = fields.Time(attribute="appointment.starts_at", format="%H:%M")
    ends_at = fields.Time(attribute="appointment.ends_at", format="%H:%M")
    window_code = fields.Str(attribute="appointment.window_code")
    window_name = fields.Str()
    item_code = fields.Str(attribute="appointment.item_code")
    item_name = fields.Str()
    applicant_name = fields.Str(attribute="appointment.applicant_name")
    id_number = fields.Str()
    phone = fields.Str()
    case_number = fields.Str(allow_none=True, metadata={"description": "the case registered from it"})
    may_arrive = fields.Bool()
    may_record_no_show = fields.Bool()
    may_register = fields.Bool()


class AppointmentReceipt(Schema):
    """What the applicant is told when he books or cancels online."""

    code = fields.Str(attribute="appointment.code")
    state = fields.Str(attribute="appointment.state")
    date = fields.Date(attribute="appointment.day")
    starts_at = fields.Time(attribute="appointment.starts_at", format="%H:%M")
    ends_at = fields.Time(attribute="appointment.ends_at", format="%H:%M")
    window_name = fields.Str()
    item_name = fields.Str()


class SlotInput(Schema):
    window = fields.Str(required=True, validate=validate.Length(1, 16), metadata={"label": "窗口"})
    starts_at = fields.Str(required=True, validate=validate.Length(5, 5), metadata={"label": "开始时间",
                                                                                     "description": "HH:MM"})
    ends_at = fields.Str(required=True, validate=validate.Length(5, 5), metadata={"label": "结束时间",
                                                                                 "description": "HH:MM"})
    capacity = fields.Int(required=True, strict=True, validate=validate.Range(0, MAX_CAPACITY),
                          metadata={"label": "可约人数"})
    active = fields.Bool(load_default=True, metadata={"label": "是否开放"})


class SlotRow(Schema):
    id = fields.Int(attribute="slot.id")
    window_code = fields.Str(attribute="slot.window_code")
    window_name = fields.Str()
    starts_at = fields.Time(attribute="slot.starts_at", format="%H:%M")
    ends_at = fields.Time(attribute="slot.ends_at", format="%H:%M")
    capacity = fields.Int(attribute="slot.capacity")
    active = fields.Bool(attribute="slot.active")
