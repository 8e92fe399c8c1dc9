"""Process versions: deploying a bundle as the next version, and the parsed specs cached per version.

Deploying a changed model creates a new version; running cases stay on the version they
started with. Compiling a version costs over a hundred milliseconds and depends only on its
files and the sandbox's names, so it happens once per process, shared by every engine in it
(the CLI, the scheduler and each test build engines of their own).
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


# (version id, files digest, process id, sandbox names, reserved keys) -> its compiled definition.
# A definition is read-only once compiled; workflows of any engine may share it, as one engine's do.
_COMPILED: dict[tuple, ProcessDefinition] = {}
_COMPILED_LOCK = threading.Lock()
_COMPILED_LIMIT = 64


def _compiled(version: ProcessVersion, env: SafeEnvironment, reserved_keys: frozenset[str]) -> ProcessDefinition:
    key = (version.id, version.digest, version.process_id, env.function_names, reserved_keys)
    with _COMPILED_LOCK:
        definition = _COMPILED.get(key)
    if definition is None:
        definition = compile_process(version.files, version.process_id, env, reserved_keys, version.id)
        with _COMPILED_LOCK:
            if len(_COMPILED) >= _COMPILED_LIMIT:
                _COMPILED.pop(next(iter(_COMPILED)))
            definition = _COMPILED.setdefault(key, definition)
    return definition


class SpecCache:
    """The engine's process versions by id, each compiled once per process (``_compiled``)."""

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
        definition = _compiled(version, self.env, self.reserved_keys)
        with self._lock:
            return self._definitions.setdefault(version_id, definition)
