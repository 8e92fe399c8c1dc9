"""Who is acting: the actor passed to every engine action (a person, or the system)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Cover:
    """An absent A post whose work the actor, as that window's B post, takes over today (AB岗)."""

    staff_id: int
    name: str
    role: str
    department_code: str | None


@dataclass(frozen=True)
class Actor:
    """The authenticated person (or the system) an action is performed by.

    ``covering``: the absent A posts this person stands in for today; empty for everyone else.
    ``roles``: every role the person holds, the primary ``role`` first (filled in when not given).
    """

    id: int | None
    username: str
    name: str
    role: str
    department_code: str | None = None
    covering: tuple[Cover, ...] = ()
    roles: tuple[str, ...] = ()

    def __post_init__(self):
        object.__setattr__(self, "roles", (self.role, *(role for role in self.roles if role != self.role)))

    @property
    def label(self) -> str:
        return f"{self.name}({self.username})"

    def cover_for(self, staff_id: int | None) -> Cover | None:
        """The cover under which this actor holds ``staff_id``'s work today, if any."""
        return next((cover for cover in self.covering if cover.staff_id == staff_id), None)


SYSTEM = Actor(id=None, username="system", name="系统", role="system")
