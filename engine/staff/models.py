from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base, UTCDateTime

CLERK = "clerk"
APPROVER = "approver"
CHIEF = "chief"
SUPERVISOR = "supervisor"
ADMIN = "admin"
ROLES = (CLERK, APPROVER, CHIEF, SUPERVISOR, ADMIN)
# Roles that belong to one department (a back-office approver, a chief representative).
DEPARTMENT_ROLES = (APPROVER, CHIEF)


class Staff(Base):
    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(50), unique=True)
    name: Mapped[str] = mapped_column(String(50))
    role: Mapped[str] = mapped_column(String(20))
    department_code: Mapped[str | None] = mapped_column(ForeignKey("department.code"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
