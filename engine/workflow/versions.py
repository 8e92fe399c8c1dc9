"""Process versions: deploying a bundle as the next version, and the parsed specs cached per version.

Deploying a changed model creates a new version; running cases stay on the version they
started with. Parsing costs milliseconds, so each version is compiled once per process.
"""

import threading
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from engine.errors import Conflict, NotFound
from engine.workflow.bundles import Bundle
from engine.workflow.compiler import ProcessDefinition, compile_process
from engine.workflow.expressions import SafeEnvironment
from engine.workflow.models import ProcessVersion


def latest_version(session: Session, process_id: str) -> ProcessVersion:
    version = session.scalar(
        select(ProcessVersion).where(ProcessVersion.process_id == process_id)
        .order_by(ProcessVersion.version.desc()).limit(1)
    )
    if version is None:
        raise NotFound(f"流程 '{process_id}' 尚未部署 (process '{process_id}' is not deployed)", field="process_id")
    return version


def deployed_process_ids(session: Session) -> set[str]:
    return set(session.scalars(select(ProcessVersion.process_id).distinct()))


def deploy_bundle(session: Session, bundle: Bundle, env: SafeEnvironment, reserved_keys: frozenset[str],
                  now: datetime) -> ProcessVersion | None:
    """Store the bundle as the next version unless the latest version has the same files.

    Everything is checked first (``compile_process``): a bad model is refused and nothing stored.
    """
    compile_process(bundle.files, bundle.process_id, env, reserved_keys)
    digest = bundle.digest
    latest = session.scalar(
        select(ProcessVersion).where(ProcessVersion.process_id == bundle.process_id)
        .order_by(ProcessVersion.version.desc()).limit(1)
    )
    if latest is not None and latest.digest == digest:
        return None
    number = (session.scalar(select(func.max(ProcessVersion.version))
                             .where(ProcessVersion.process_id == bundle.process_id)) or 0) + 1
    version = ProcessVersion(process_id=bundle.process_id, version=number, digest=digest, name=bundle.name,
                             files=bundle.files, deployed_at=now)
    session.add(version)
    try:
        session.flush()
    except IntegrityError:
        raise Conflict(f"流程 '{bundle.process_id}' 正由他人同时部署，请重试 "
                       f"(process '{bundle.process_id}' was deployed concurrently; try again)") from None
    return version


class SpecCache:
    """Parsed process versions, parsed once per process (parsing costs milliseconds)."""

    def __init__(self, env: SafeEnvironment, reserved_keys: frozenset[str]):
        self.env = env
        self.reserved_keys = reserved_keys
        self._lock = threading.Lock()
        self._definitions: dict[int, ProcessDefinition] = {}

    def get(self, session: Session, version_id: int) -> ProcessDefinition:
        with self._lock:
            definition = self._definitions.get(version_id)
        if definition is not None:
            return definition
        version = session.get(ProcessVersion, version_id)
        if version is None:
            raise NotFound(f"流程版本 {version_id} 不存在 (process version {version_id} does not exist)")
        definition = compile_process(version.files, version.process_id, self.env, self.reserved_keys, version.id)
        with self._lock:
            return self._definitions.setdefault(version_id, definition)
