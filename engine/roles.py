"""Staff roles and the groups of them rules speak of: one definition for the engine and the web."""

CLERK = "clerk"
APPROVER = "approver"
CHIEF = "chief"
SUPERVISOR = "supervisor"
ADMIN = "admin"
# The center's director (中心主任): named here for the roles he may combine; the law branch makes him a role.
DIRECTOR = "director"
ROLES = (CLERK, APPROVER, CHIEF, SUPERVISOR, ADMIN)
# Roles that belong to one department (a back-office approver, a chief representative).
DEPARTMENT_ROLES = (APPROVER, CHIEF)
# Who oversees the center: the board, the ledger, ratings and complaints, the A/B posts.
SUPERVISING = (SUPERVISOR, ADMIN)
# Who reads the overdue board: the supervisors every department's, a chief representative his own.
BOARD_READERS = (*SUPERVISING, CHIEF)
# Who works on cases: they hold tasks, are scored in the ledger and may be complained about.
CASE_WORKERS = (CLERK, APPROVER, CHIEF)
# Which staff roles act on a task of each BPMN role (the model's ``role`` property).
ACTING_ROLES = {"clerk": (CLERK,), "approver": (APPROVER, CHIEF), "chief": (CHIEF,)}
# The roles one person may hold together (docs/rules.md): a chief representative is also an
# approver of his department, the center's director also supervises. Anything else is one role:
# the administrator who makes accounts works no cases (separation of duties), the window does
# not decide what it accepted (前台受理、后台审批), and who scores does not work cases.
ALLOWED_COMBINATIONS = (frozenset({APPROVER, CHIEF}), frozenset({SUPERVISOR, DIRECTOR}))
# Which of a person's roles is the primary one (home page, ledger sheet): the first of these held.
PRECEDENCE = (ADMIN, DIRECTOR, CHIEF, SUPERVISOR, APPROVER, CLERK)
