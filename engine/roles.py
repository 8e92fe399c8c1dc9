"""Staff roles and the groups of them rules speak of: one definition for the engine and the web."""

CLERK = "clerk"
APPROVER = "approver"
CHIEF = "chief"
SUPERVISOR = "supervisor"
ADMIN = "admin"
ROLES = (CLERK, APPROVER, CHIEF, SUPERVISOR, ADMIN)
# Roles that belong to one department (a back-office approver, a chief representative).
DEPARTMENT_ROLES = (APPROVER, CHIEF)
# Who oversees the center: the board, the ledger, ratings and complaints, the A/B posts.
SUPERVISING = (SUPERVISOR, ADMIN)
# Who sets the center up: its catalogue, calendar, process versions and scoring rules.
ADMINISTERING = (ADMIN,)
# Who works on cases: they hold tasks, are scored in the ledger and may be complained about.
CASE_WORKERS = (CLERK, APPROVER, CHIEF)
# Which staff roles act on a task of each BPMN role (the model's ``role`` property).
ACTING_ROLES = {"clerk": (CLERK,), "approver": (APPROVER, CHIEF), "chief": (CHIEF,)}
