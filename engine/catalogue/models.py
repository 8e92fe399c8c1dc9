from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.db import Base, UTCDateTime

CASE_TYPES = ("即办件", "承诺件", "联办件", "上报件")
DELIVERY_METHODS = ("pickup", "post")
# 上报件: while the higher authority decides, the clock stops or keeps counting.
REPORT_CLOCKS = ("suspended", "counting")
MATERIAL_FORMS = ("原件", "复印件", "原件及复印件", "电子件")


class Department(Base):
    __tablename__ = "department"

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    short_name: Mapped[str] = mapped_column(String(30))


class ServiceItem(Base):
    __tablename__ = "service_item"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    department_code: Mapped[str] = mapped_column(ForeignKey("department.code"), index=True)
    category: Mapped[str] = mapped_column(String(30))
    case_type: Mapped[str] = mapped_column(String(10))
    legal_limit_days: Mapped[int] = mapped_column(Integer)
    promised_limit_days: Mapped[int] = mapped_column(Integer)
    correction_window_days: Mapped[int] = mapped_column(Integer)
    extension_days: Mapped[int] = mapped_column(Integer)
    # A co-reviewing department's reply limit in a joint review (国发〔1999〕9号: 7 working days).
    co_review_days: Mapped[int] = mapped_column(Integer, default=7, server_default="7")
    # 上报件: the authority the case is forwarded to, and whether the clock stops meanwhile.
    higher_authority: Mapped[str] = mapped_column(String(100), default="", server_default="")
    report_clock: Mapped[str] = mapped_column(String(10), default="suspended", server_default="suspended")
    fee: Mapped[str] = mapped_column(String(100))
    delivery_options: Mapped[list[str]] = mapped_column(JSON)
    process_id: Mapped[str] = mapped_column(String(100))
    legal_basis: Mapped[str] = mapped_column(Text)
    result_name: Mapped[str] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # 办事指南 text the applicant reads: 受理条件, the fee's legal basis, whom to call.
    conditions: Mapped[str] = mapped_column(Text, default="", server_default="")
    fee_basis: Mapped[str] = mapped_column(String(300), default="", server_default="")
    contacts: Mapped[str] = mapped_column(String(300), default="", server_default="")
    # 办理流程 as the guide tells it (the steps the applicant goes through), 办理地点, 办理时间.
    procedure: Mapped[str] = mapped_column(Text, default="", server_default="")
    place: Mapped[str] = mapped_column(String(200), default="", server_default="")
    hours: Mapped[str] = mapped_column(String(200), default="", server_default="")
    # The item's current version (ServiceItemVersion); a case records the one it started with.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    department: Mapped[Department] = relationship(lazy="joined")
    materials: Mapped[list["ItemMaterial"]] = relationship(
        order_by="ItemMaterial.position", cascade="all, delete-orphan", lazy="selectin"
    )
    co_departments: Mapped[list["ItemCoDepartment"]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="ItemCoDepartment.department_code"
    )

    @property
    def co_department_codes(self) -> list[str]:
        return [link.department_code for link in self.co_departments]


class ItemMaterial(Base):
    __tablename__ = "item_material"
    __table_args__ = (UniqueConstraint("item_code", "code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_code: Mapped[str] = mapped_column(ForeignKey("service_item.code", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200))
    mandatory: Mapped[bool] = mapped_column(Boolean)
    form: Mapped[str] = mapped_column(String(10))
    count: Mapped[int] = mapped_column(Integer)
    commitment_allowed: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str] = mapped_column(String(300), default="")


class ItemCoDepartment(Base):
    """A co-reviewing department (协办) of a joint item (联办件)."""

    __tablename__ = "item_co_department"

    item_code: Mapped[str] = mapped_column(ForeignKey("service_item.code", ondelete="CASCADE"), primary_key=True)
    department_code: Mapped[str] = mapped_column(ForeignKey("department.code"), primary_key=True)


class ServiceItemVersion(Base):
    """One saved state of an item: every save that changes it adds the next version."""

    __tablename__ = "service_item_version"
    __table_args__ = (UniqueConstraint("item_code", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_code: Mapped[str] = mapped_column(ForeignKey("service_item.code", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    # The validated item as the loader takes it (the same dict a TOML file gives).
    snapshot: Mapped[dict] = mapped_column(JSON)
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime)
    saved_by: Mapped[str] = mapped_column(String(50))


ATTACHMENT_KINDS = ("sample", "blank")


class ItemAttachment(Base):
    """A sample (示范文本) or blank form (空白表格) of an item, kept in the database with the catalogue."""

    __tablename__ = "item_attachment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_code: Mapped[str] = mapped_column(ForeignKey("service_item.code", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    uploaded_by: Mapped[str] = mapped_column(String(50))
