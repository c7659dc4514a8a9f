"""The web UI (app.py): the chat, conversations and feedback, the matrix, the 评测 tab, the HTTP API and its server."""
