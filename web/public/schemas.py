"""JSON shapes of the public progress lookup (marshmallow): the question and exactly what the page shows."""

from marshmallow import Schema, fields, validate

from web.api import Material


class ProgressQuestion(Schema):
    number = fields.Str(required=True, validate=validate.Length(1, 32),
                        metadata={"description": "办件编号, e.g. ZW2026112300001"})
    phone_tail = fields.Str(required=True, validate=validate.Length(1, 4),
                            metadata={"description": "the last 4 digits of the phone given at intake"})


class ClockStopped(Schema):
    kind = fields.Str(metadata={"description": "why: 听证, 检验, 检测, 鉴定, 专家评审, 现场勘察, 上报 …"})
    since = fields.Date(metadata={"description": "the day the clock stopped"})


class Extension(Schema):
    days = fields.Int(metadata={"description": "working days added to the limit (第42条, once)"})
    granted_on = fields.Date()


class Parcel(Schema):
    carrier = fields.Str(metadata={"description": "EMS, 中国邮政, 顺丰速运"})
    waybill_number = fields.Str()
    dispatched_on = fields.Date()
    expected_by = fields.Date(metadata={"description": "the service level's day (T+1, across provinces T+2)"})
    delivered = fields.Bool(metadata={"description": "the delivery is confirmed"})
    delivered_on = fields.Date(allow_none=True)


class ProgressAnswer(Schema):
    """The applicant's view: no name, ID number, phone or address, no staff names and no text staff wrote
    (reasons and opinions go to the applicant in the written notices)."""

    number = fields.Str()
    item_name = fields.Str(metadata={"description": "the service item (事项)"})
    status = fields.Str(metadata={"description": "办件状态, e.g. 已受理, 暂停, 待补办, 正常办结"})
    due_date = fields.Date(allow_none=True, metadata={
        "description": "承诺办结日期 as it now stands (moved by ended suspensions and a granted extension); "
                       "null before acceptance. While the clock is stopped it moves again when it restarts"})
    result_ready = fields.Bool(metadata={"description": "decided and waiting for pickup or in the post"})
    clock_stopped = fields.Nested(ClockStopped, allow_none=True, metadata={
        "description": "暂停计时: set while the clock stands still"})
    suspended_days = fields.Int(metadata={"description": "working days earlier stops added to the due date"})
    extension = fields.Nested(Extension, allow_none=True, metadata={"description": "延期: the granted extension"})
    parcel = fields.Nested(Parcel, allow_none=True, metadata={"description": "the posted result (政务专递)"})


class GuideQuestion(Schema):
    q = fields.Str(load_default=None, metadata={"description": "any part of the item's name or code"})
    department = fields.Str(load_default=None, metadata={"description": "the department's code, e.g. SCJG"})
    category = fields.Str(load_default=None, metadata={"description": "事项类别, e.g. 市场准入"})


class GuideLine(Schema):
    code = fields.Str()
    name = fields.Str()
    department_code = fields.Str()
    department_name = fields.Str()
    category = fields.Str()
    case_type = fields.Str(metadata={"description": "即办件, 承诺件, 联办件 or 上报件"})
    promised_limit_days = fields.Int(metadata={"description": "承诺时限 in working days (0: at the window)"})


class GuideForm(Schema):
    kind = fields.Str(metadata={"description": "sample (示范文本) or blank (空白表格)"})
    filename = fields.Str()
    size = fields.Int()
    url = fields.Method("_url", metadata={"description": "where the file is downloaded, no sign-in"})

    def _url(self, form) -> str:
        return f"/guide/{form.item_code}/forms/{form.id}"


class GuideItem(Schema):
    """Everything 十公开 asks of one item's guide."""

    code = fields.Str()
    name = fields.Str()
    department_code = fields.Str()
    department_name = fields.Str()
    co_departments = fields.List(fields.Str(), metadata={"description": "协办部门 of a 联办件"})
    category = fields.Str()
    case_type = fields.Str()
    case_type_note = fields.Str()
    conditions = fields.Str(metadata={"description": "受理条件"})
    materials = fields.List(fields.Nested(Material), metadata={"description": "申请材料"})
    forms = fields.List(fields.Nested(GuideForm), metadata={"description": "示范文本 and 空白表格"})
    legal_limit_days = fields.Int(metadata={"description": "法定时限, working days"})
    promised_limit_days = fields.Int(metadata={"description": "承诺时限, working days"})
    fee = fields.Str(metadata={"description": "收费标准"})
    fee_basis = fields.Str(metadata={"description": "收费依据"})
    procedure = fields.Str(metadata={"description": "办事流程"})
    legal_basis = fields.Str(metadata={"description": "设定依据"})
    result_name = fields.Str(metadata={"description": "办理结果"})
    delivery_options = fields.List(fields.Str(), metadata={"description": "pickup and/or post"})
    place = fields.Str(metadata={"description": "办理地点"})
    hours = fields.Str(metadata={"description": "办理时间"})
    contacts = fields.Str(metadata={"description": "咨询方式"})


class RatingSubmission(Schema):
    token = fields.Str(required=True, validate=validate.Length(1, 500),
                       metadata={"description": "the rating token printed on the acceptance or result notice"})
    level = fields.Str(required=True, metadata={"description": "非常满意, 满意, 基本满意, 不满意 or 非常不满意"})
    comment = fields.Str(load_default="", metadata={"description": "评价意见, at most 500 characters"})


class RatingReceipt(Schema):
    case_number = fields.Str()
    item_name = fields.Str()
    level = fields.Str()
    rated_at = fields.DateTime()
