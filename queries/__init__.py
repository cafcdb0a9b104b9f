"""Named SQL for the dashboard's figures, and the policy profiles they are computed under.

``queries/NAME.sql`` — one file per question, documented in its header comment.
``queries.runner`` — lists and runs them (``list_queries``, ``run``).
``queries.policy`` — policy profiles and taxonomies read from ``data/``.
CLI: ``python -m queries list`` / ``python -m queries run NAME``.
"""
