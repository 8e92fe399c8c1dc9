"""The framework's floor: a trivial Flask app (one JSON answer, no database), served by the same
gunicorn as the application, so that a request's cost can be read against what Flask alone costs."""

from flask import Flask, jsonify

app = Flask(__name__)


@app.get("/")
def answer():
    return jsonify({"ok": True})
