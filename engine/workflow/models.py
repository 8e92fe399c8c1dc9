from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base, UTCDateTime


class ProcessVersion(Base):
    """One deployment of a process: its BPMN, DMN and form files, frozen.

    Running cases keep the version they started with; a changed BPMN deploys as a new
    version. ``digest`` identifies the file set so redeploying the current files adds nothing.
    """

    __tablename__ = "process_version"
    __table_args__ = (UniqueConstraint("process_id", "version", name="uq_process_version_process_id_version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    process_id: Mapped[str] = mapped_column(String(100))
    version: Mapped[int] = mapped_column(Integer)
    digest: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    files: Mapped[dict[str, str]] = mapped_column(JSON)
    deployed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class WorkflowState(Base):
    """Workflow-level attributes of a case's SpiffWorkflow instance (never its spec)."""

    __tablename__ = "workflow_state"

    case_id: Mapped[int] = mapped_column(ForeignKey("service_case.id", ondelete="CASCADE"), primary_key=True)
    serializer_version: Mapped[str] = mapped_column(String(10))
    header: Mapped[str] = mapped_column(Text)


class WorkflowTask(Base):
    """One task of a case's task tree, in SpiffWorkflow's own task format.

    A step rewrites only the tasks it touched; finished tasks are written once, so the
    cost of a step does not grow with the case's history.
    """

    __tablename__ = "workflow_task"
    __table_args__ = (Index("ix_workflow_task_case_seq", "case_id", "seq"),)

    case_id: Mapped[int] = mapped_column(ForeignKey("service_case.id", ondelete="CASCADE"), primary_key=True)
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    # '' for the top-level workflow, else the id of the task that owns the subprocess.
    workflow_id: Mapped[str] = mapped_column(String(36))
    state: Mapped[str] = mapped_column(String(12))
    body: Mapped[str] = mapped_column(Text)
