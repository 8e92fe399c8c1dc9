from web.api import api_blueprint

blp = api_blueprint("cases_api", __name__, "/cases", "cases")
