from web.api import api_blueprint

blp = api_blueprint("tasks_api", __name__, "/tasks", "tasks")
