"""Named SQL for the dashboard's figures, and the policy profiles they are computed under.

``queries/NAME.sql`` — one file per question, documented in its header comment.
``queries.catalogue`` — reads the headers (``list_queries``, ``get_query``).
``queries.context`` — the profile and taxonomy as tables; the region, lead-unit, report-due and scope rules (``context/*.sql``).
``queries.cache`` — what is built for which key (contexts shared by every cursor; scope and staging tables per cursor).
``queries.runner`` — runs a query under a scope (``run``, ``fetch``); ``queries.fetch`` — the one fetcher.
``queries.vocabulary`` — the status words the SQL and the pages share.
``queries.policy`` — policy profiles and taxonomies read from ``data/``.
CLI: ``python -m queries list`` / ``python -m queries run NAME``.
"""
