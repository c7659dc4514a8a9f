"""Evaluation: score the assistant's answers against a gold question set (`python -m eval`)."""
