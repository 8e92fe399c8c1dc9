from web.api import api_blueprint

blp = api_blueprint("board_api", __name__, "/board", "board")
