"""Staff roles and the groups of them rules speak of: one definition for the engine and the web."""

CLERK = "clerk"
APPROVER = "approver"
CHIEF = "chief"
SUPERVISOR = "supervisor"
ADMIN = "admin"
# 中心主任: heads the center; approves a joint item's extension (行政许可法 第42条第2款) and any
# approval a department's chief may not give because he is party to the request.
DIRECTOR = "director"
ROLES = (CLERK, APPROVER, CHIEF, SUPERVISOR, ADMIN, DIRECTOR)
# Roles that belong to one department (a back-office approver, a chief representative).
DEPARTMENT_ROLES = (APPROVER, CHIEF)
# Who oversees the center: the board, the ledger, ratings and complaints, the A/B posts.
SUPERVISING = (SUPERVISOR, ADMIN, DIRECTOR)
# Who gives the center's approval of a leave (双审批, after the department's).
CENTER_LEAVE_APPROVERS = (SUPERVISOR, ADMIN)
# Who reads what the outbox sent and what failed (notifications, status events).
NOTIFICATION_READERS = (SUPERVISOR, ADMIN)
# Who sets the center up: its catalogue, calendar, process versions and scoring rules.
ADMINISTERING = (ADMIN,)
# Who reads the overdue board: the supervisors every department's, a chief representative his own.
BOARD_READERS = (*SUPERVISING, CHIEF)
# Who reads the 否决备案 register of refusals: the same (a chief his department's only).
REGISTER_READERS = BOARD_READERS
# Who works on cases: they hold tasks, are scored in the ledger and may be complained about.
CASE_WORKERS = (CLERK, APPROVER, CHIEF)
# Who has a task inbox: the case workers, and the director for the approvals that are his.
TASK_HOLDERS = (*CASE_WORKERS, DIRECTOR)
# Which staff roles act on a task of each BPMN role (the model's ``role`` property).
ACTING_ROLES = {"clerk": (CLERK,), "approver": (APPROVER, CHIEF), "chief": (CHIEF,), "director": (DIRECTOR,)}
# The roles one person may hold together (docs/rules.md): a chief representative is also an
# approver of his department, the center's director also supervises. Anything else is one role:
# the administrator who makes accounts works no cases (separation of duties), the window does
# not decide what it accepted (前台受理、后台审批), and who scores does not work cases.
ALLOWED_COMBINATIONS = (frozenset({APPROVER, CHIEF}), frozenset({SUPERVISOR, DIRECTOR}))
# Which of a person's roles is the primary one (home page, ledger sheet): the first of these held.
PRECEDENCE = (ADMIN, DIRECTOR, CHIEF, SUPERVISOR, APPROVER, CLERK)
# Who reads the windows' appointment lists (预约): the clerks who receive, the supervisors.
APPOINTMENT_READERS = (CLERK, *SUPERVISING)
# Who takes in the provincial platform's online pre-applications (待接件): the window.
PRE_APPLICATION_DESK = (CLERK,)
# Who manages the service accounts systems call the API with (the provincial platform).
SERVICE_ACCOUNT_ADMINS = (ADMIN,)
