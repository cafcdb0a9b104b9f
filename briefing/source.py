"""What a briefing holds and where it links: the catalogue of charts, the live links.

A pack reads the registry through queries.fetch.RegistryFetch, the same fetch the pages
read through (ui.fetcher wraps it in Streamlit's cache), so a chart in a pack is built
exactly as on its page. The catalogue lists the registered charts a pack can hold, in the
navigation's page order; ``live_url`` links a slide back to its page with the same scope in
the query string (Scope.url_params, the keys ui.sidebar writes).
"""
from __future__ import annotations

import os
from urllib.parse import quote, urlencode


import figures
import navigation
from figures import Chart, Fetch, Scope

DEFAULT_URL = "http://localhost:8501"
URL_ENV = "DASHBOARD_URL"
# Charts of one alliance's file need an alliance id; a pack of the whole programme leaves them out.
PER_ALLIANCE_PREFIX = "alliance_"


def catalogue(*, per_alliance: bool = False, fetch: Fetch | None = None, scope: Scope | None = None) -> list[Chart]:
    """The charts a pack can hold, by page in navigation order, then in registration order.

    Per-alliance charts (ids ``alliance_*``) are left out unless ``per_alliance``. Given a
    ``scope`` (and its ``fetch``), only what applies to it: charts whose rule the profile has
    (``Chart.applies``), each once (a chart repeated on another page, ``same_as``, is left
    out), titled in the profile's words.
    """
    order = {page.title: i for i, page in enumerate(navigation.PAGES)}
    charts = [c for c in figures.all_charts().values() if per_alliance or not is_per_alliance(c.id)]
    if scope is not None:
        if fetch is None:
            raise ValueError("catalogue(scope=…) needs the fetch of that scope")
        charts = [figures.for_profile(c, scope.profile) for c in charts
                  if not c.same_as and c.why_not(fetch, scope) is None]
    return sorted(charts, key=lambda c: order.get(c.page, len(order)))  # stable: registration order within a page


def is_per_alliance(chart_id: str) -> bool:
    """True for the charts of one alliance's file (联盟档案), which need an alliance id."""
    return chart_id.startswith(PER_ALLIANCE_PREFIX)


def for_alliance(fetch: Fetch, alliance_id: str) -> tuple[Fetch, str]:
    """A fetch bound to one alliance (as the 联盟档案 page binds it) and the alliance's name."""
    from figures.alliance import for_alliance as bind

    one = bind(fetch, alliance_id)
    detail = one("alliance_detail")
    if detail.empty:
        raise KeyError(f"在当前筛选范围内找不到联盟编号「{alliance_id}」。")
    return one, str(detail.iloc[0]["alliance"])


def base_url() -> str:
    """The dashboard's address for links in packs: $DASHBOARD_URL, default http://localhost:8501."""
    return (os.environ.get(URL_ENV) or DEFAULT_URL).rstrip("/")


def live_url(page: str, scope: Scope, base: str | None = None, **extra: str) -> str:
    """The live view of ``page`` (its title) with ``scope``'s filters, e.g. http://…/overview?profile=…&as_of=…"""
    known = navigation.by_title(page)
    path = known.path if known else ""
    query = urlencode({**scope.url_params(), **extra}, quote_via=quote, safe=",")
    return f"{(base or base_url()).rstrip('/')}/{path}?{query}"
