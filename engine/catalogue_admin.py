"""The administrator's catalogue (办事指南): departments, items with their versions, sample and
blank forms, and the TOML export. Each save is one transaction with its audit entry and goes
through the loader's validation, the same as `onewindow catalogue load`."""

from dataclasses import dataclass
from pathlib import PurePath

from sqlalchemy import select

from engine.actor import Actor
from engine.audit import service as audit
from engine.catalogue import loader
from engine.catalogue.export import catalogue_raw
from engine.catalogue.models import (
    ATTACHMENT_KINDS,
    Department,
    ItemAttachment,
    ServiceItem,
    ServiceItemVersion,
)
from engine.context import EngineContext
from engine.errors import InvalidInput, NotFound
from engine.permissions import may_administer
from engine.workflow.versions import deployed_process_ids

MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024
# What a form may be, told by its first bytes rather than by the name or the browser's word.
ATTACHMENT_TYPES = {
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (b"PK\x03\x04",)),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (b"PK\x03\x04",)),
    ".doc": ("application/msword", (b"\xd0\xcf\x11\xe0",)),
    ".xls": ("application/vnd.ms-excel", (b"\xd0\xcf\x11\xe0",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
}


@dataclass(frozen=True)
class ItemPage:
    """An item with its saved versions (newest first) and its forms."""

    item: ServiceItem
    versions: list[ServiceItemVersion]
    attachments: list[ItemAttachment]


class CatalogueAdministration:
    def __init__(self, context: EngineContext):
        self.context = context

    def departments(self) -> list[Department]:
        with self.context.session() as session:
            return list(session.scalars(select(Department).order_by(Department.code)))

    def items(self) -> list[ServiceItem]:
        with self.context.session() as session:
            return list(session.scalars(select(ServiceItem).order_by(ServiceItem.department_code, ServiceItem.code)))

    def item(self, code: str) -> ItemPage:
        with self.context.session() as session:
            item = session.get(ServiceItem, code)
            if item is None:
                raise NotFound(f"未找到办理事项 '{code}' (no service item '{code}')", field="code")
            versions = list(session.scalars(select(ServiceItemVersion).where(ServiceItemVersion.item_code == code)
                                            .order_by(ServiceItemVersion.version.desc())))
            attachments = list(session.scalars(select(ItemAttachment).where(ItemAttachment.item_code == code)
                                               .order_by(ItemAttachment.id)))
            for attachment in attachments:
                session.expunge(attachment)  # the page lists them; the bytes are read on download only
            return ItemPage(item, versions, attachments)

    def processes(self) -> list[str]:
        """The deployed processes an item may run on."""
        with self.context.session() as session:
            return sorted(deployed_process_ids(session))

    def save_department(self, actor: Actor, raw: dict) -> Department:
        may_administer(actor).check()
        department = loader.validate_department(raw)
        with self.context.transaction() as session:
            existed = session.get(Department, department["code"]) is not None
            row = loader.write_department(session, department)
            audit.record(session, actor=actor, action="department_save", at=self.context.clock.now(),
                         detail={**department, "new": not existed})
        return row

    def save_item(self, actor: Actor, raw: dict) -> ServiceItem:
        """Validate and save an item; a change makes its next version, cases keep the one they started with."""
        may_administer(actor).check()
        with self.context.transaction() as session:
            departments = set(session.scalars(select(Department.code)))
            item = loader.validate_item(raw, departments, deployed_process_ids(session))
            before = session.get(ServiceItem, item["code"])
            before_version = before.version if before is not None else None
            row = loader.write_item(session, item, saved_by=actor.username, now=self.context.clock.now())
            if row.version != before_version:
                audit.record(session, actor=actor, action="item_save", at=self.context.clock.now(),
                             detail={"code": row.code, "version": row.version, "before_version": before_version})
            session.refresh(row)
        return row

    def add_attachment(self, actor: Actor, item_code: str, kind: str, filename: str, data: bytes) -> ItemAttachment:
        """Keep a sample or blank form of an item, refused unless its size and its content fit its type."""
        may_administer(actor).check()
        if kind not in ATTACHMENT_KINDS:
            raise InvalidInput(f"附件类型须为 {'、'.join(ATTACHMENT_KINDS)} 之一 "
                               f"(kind must be one of {', '.join(ATTACHMENT_KINDS)})", field="kind")
        name = PurePath((filename or "").replace("\\", "/")).name.strip()
        if not 1 <= len(name) <= 200:
            raise InvalidInput("文件名须为 1 至 200 个字 (the file needs a name of at most 200 characters)", field="file")
        suffix = PurePath(name).suffix.lower().replace(".jpeg", ".jpg")
        if suffix not in ATTACHMENT_TYPES:
            raise InvalidInput(f"只接受 {'、'.join(ATTACHMENT_TYPES)} 文件 (only {', '.join(ATTACHMENT_TYPES)} files are accepted)",
                               field="file")
        if not data:
            raise InvalidInput("文件为空 (the file is empty)", field="file")
        if len(data) > MAX_ATTACHMENT_BYTES:
            raise InvalidInput(f"文件超过 {MAX_ATTACHMENT_BYTES // (1024 * 1024)} MiB "
                               f"(the file is larger than {MAX_ATTACHMENT_BYTES // (1024 * 1024)} MiB)", field="file")
        content_type, magics = ATTACHMENT_TYPES[suffix]
        if not data.startswith(magics):
            raise InvalidInput(f"文件内容不是 {suffix} 格式 (the file's content is not a {suffix} file)", field="file")
        with self.context.transaction() as session:
            if session.get(ServiceItem, item_code) is None:
                raise NotFound(f"未找到办理事项 '{item_code}' (no service item '{item_code}')", field="item_code")
            row = ItemAttachment(item_code=item_code, kind=kind, filename=name, content_type=content_type,
                                 size=len(data), data=data, uploaded_at=self.context.clock.now(),
                                 uploaded_by=actor.username)
            session.add(row)
            session.flush()
            audit.record(session, actor=actor, action="item_attachment", at=self.context.clock.now(),
                         detail={"item": item_code, "kind": kind, "file": name, "size": len(data), "id": row.id})
        return row

    def attachment(self, attachment_id: int) -> ItemAttachment:
        with self.context.session() as session:
            row = session.get(ItemAttachment, attachment_id)
            if row is None:
                raise NotFound(f"未找到附件 {attachment_id} (no form {attachment_id})", field="attachment_id")
            return row

    def export(self, center_name: str) -> dict:
        """The active catalogue as the loader takes it (`onewindow catalogue export`)."""
        with self.context.session() as session:
            return catalogue_raw(session, center_name)
