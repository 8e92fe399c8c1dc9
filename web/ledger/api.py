from web.api import api_blueprint

blp = api_blueprint("ledger_api", __name__, "/ledger", "ledger")
