"""Helpers of the web UI (app.py): HTML rendering, the responsibility matrix, the evaluation tab."""
