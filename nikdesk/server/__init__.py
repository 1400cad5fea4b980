"""The central NikDesk server (FastAPI + SQLAlchemy 2 + Alembic); nothing on the laptop imports it.

Install with ``pip install 'nikdesk[server]'``; start with ``nikdesk server``.
"""
