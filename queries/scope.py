"""The scope of a request: which profile, which date, which years and which alliances.

One ``Scope`` travels from the sidebar (ui.sidebar), a briefing or a CLI call to the SQL:
the profile as the object itself (with the bureau's settings already applied), the as-of
date, the year range and the sidebar's filters. Its URL form (``url_params``) is the one
the dashboard keeps in the query string and the briefing's live links carry; its ``key`` is
what results are cached under. Nothing here imports Streamlit.
"""
from __future__ import annotations

import argparse
import datetime as dt
from dataclasses import dataclass

import pandas as pd

from .policy import Profile

DEFAULT_YEAR_FROM = 2010   # the year range starts here unless a link or a command says otherwise
# The query-string keys of a scope, in the order links carry them.
URL_KEYS = ("profile", "as_of", "from", "to", "region", "level", "cluster")


@dataclass(frozen=True)
class Scope:
    """The dashboard's global filters, as every query and chart receives them."""

    profile: Profile
    as_of: dt.date
    year_from: int | None = None
    year_to: int | None = None
    regions: tuple[str, ...] = ()
    levels: tuple[str, ...] = ()
    clusters: tuple[str, ...] = ()
    taxonomy: str | None = None    # the taxonomy the clusters are counted in; None = the profile's, "" = none

    def __post_init__(self) -> None:
        # Accept lists (and a lone string as one value); keep first-seen order, drop repeats.
        for name in ("regions", "levels", "clusters"):
            value = getattr(self, name)
            values = (value,) if isinstance(value, str) else tuple(value or ())
            object.__setattr__(self, name, tuple(dict.fromkeys(str(v) for v in values)))

    @property
    def taxonomy_id(self) -> str:
        """The taxonomy in effect: the scope's own choice, else the profile's ("" = none)."""
        return self.profile.taxonomy if self.taxonomy is None else self.taxonomy

    @property
    def filtered(self) -> bool:
        """True when the sidebar's filters narrow the alliances (any region, level or cluster chosen)."""
        return bool(self.regions or self.levels or self.clusters)

    @property
    def filter_key(self) -> tuple:
        """The filters, order-independent: what the alliances in scope depend on."""
        return tuple(tuple(sorted(v)) for v in (self.regions, self.levels, self.clusters))

    def describe_filters(self) -> str:
        """The filters alone in words, e.g. 区域：滨海新区、西青区；级别：市级 (全部联盟 when none), clusters
        in the profile's word (领域 under Heilongjiang)."""
        parts = [f"{label}：{'、'.join(values)}" for label, values in
                 (("区域", self.regions), ("级别", self.levels), (self.profile.terms.cluster, self.clusters)) if values]
        return "；".join(parts) or "全部联盟"

    def describe(self) -> str:
        """The filters in words, for slide notes and footnotes."""
        parts = [f"政策配置：{self.profile.name}", f"截至 {self.as_of.isoformat()}"]
        if self.year_from or self.year_to:
            parts.append(f"年份：{self.year_from or '…'}–{self.year_to or '…'}")
        for label, values in (("区域", self.regions), ("级别", self.levels), (self.profile.terms.cluster, self.clusters)):
            if values:
                parts.append(f"{label}：{'、'.join(values)}")
        return "；".join(parts)

    def year_params(self) -> dict[str, int]:
        """The year range as the ``$year_from`` / ``$year_to`` parameters of the queries that take one."""
        return {"year_from": self.year_from or 0, "year_to": self.year_to or self.as_of.year}

    def in_years(self, frame: pd.DataFrame, column: str = "year") -> pd.DataFrame:
        """Rows of a year-indexed result inside the chosen year range."""
        keep = pd.Series(True, index=frame.index)
        if self.year_from:
            keep &= frame[column] >= self.year_from
        if self.year_to:
            keep &= frame[column] <= self.year_to
        return frame[keep]

    @property
    def key(self) -> tuple:
        """What a query's rows depend on, as a small stable value (a cache key part): the profile's id,
        the taxonomy in effect (a page may choose another), the date and the filters, order-independent. The year range
        is not part of it: queries take it as parameters. The bureau's settings are keyed by their stamp
        beside it (queries.bureau.stamp), not by the profile's contents."""
        return (self.profile.id, self.taxonomy_id, self.as_of, *self.filter_key)

    def url_params(self) -> dict[str, str]:
        """The scope as the dashboard keeps it in the URL (``URL_KEYS``; empty ones left out), and
        ``taxonomy`` when the scope counts in another taxonomy than its profile's (the coverage page's
        comparison, which only that page reads back: on the other pages the profile's own applies)."""
        params = {"profile": self.profile.id, "as_of": self.as_of.isoformat(),
                  "from": str(self.year_from or ""), "to": str(self.year_to or ""),
                  "region": ",".join(self.regions), "level": ",".join(self.levels),
                  "cluster": ",".join(self.clusters), "taxonomy": self.taxonomy or ""}
        return {k: v for k, v in params.items() if v}


def year_before(day: dt.date) -> dt.date:
    """The same day a year earlier (365 days earlier from 29 February), as the overview compares with last year."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day - dt.timedelta(days=365)


def split_values(text: str) -> tuple[str, ...]:
    """A comma-separated list (URL or command line; a Chinese comma too) as values, first-seen order, no repeats."""
    return tuple(dict.fromkeys(v.strip() for v in text.replace("，", ",").split(",") if v.strip()))


# --filter's dimensions, as the URL names them or in Chinese
FILTER_NAMES = {"region": "regions", "regions": "regions", "区域": "regions",
                "level": "levels", "levels": "levels", "级别": "levels",
                "cluster": "clusters", "clusters": "clusters", "产业集群": "clusters", "集群": "clusters"}


def parse_filters(items: list[str] | tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    """The command line's ``--filter region=滨海新区,西青区`` (repeatable) as Scope's regions / levels / clusters.

    The dimension may also be written 区域 / 级别 / 产业集群; repeating a dimension adds values.
    """
    found: dict[str, tuple[str, ...]] = {"regions": (), "levels": (), "clusters": ()}
    for item in items:
        key, sep, value = item.partition("=")
        dimension = FILTER_NAMES.get(key.strip().lower())
        if not sep or dimension is None:
            raise ValueError(f"筛选条件应写成 region=…、level=… 或 cluster=…（多个值以逗号分隔），现为「{item}」")
        found[dimension] = tuple(dict.fromkeys((*found[dimension], *split_values(value))))
    return found


def add_arguments(parser: argparse.ArgumentParser, *, years: bool = True) -> None:
    """The scope's filters as command-line options: ``--filter DIM=V1,V2`` (and the year range ``--from --to``)."""
    if years:
        parser.add_argument("--from", dest="year_from", type=int, default=DEFAULT_YEAR_FROM,
                            help=f"年份范围起（默认 {DEFAULT_YEAR_FROM}，同看板）")
        parser.add_argument("--to", dest="year_to", type=int, default=None, help="年份范围止（默认截止日期所在年）")
    parser.add_argument("--filter", action="append", default=[], metavar="DIM=V1,V2",
                        help="全局筛选，可重复：region=区域（如 滨海新区,西青区；含“未填”）、level=级别（国家级/省级/市级）、"
                             "cluster=产业集群（含“未归类”）；同一维度多个值为“或”，不同维度为“且”，同看板左侧栏")


def from_arguments(args: argparse.Namespace, profile: Profile, as_of: dt.date) -> Scope:
    """The scope of a command line parsed with ``add_arguments`` (the year range ends at as_of's year by default)."""
    year_from = getattr(args, "year_from", None)
    year_to = getattr(args, "year_to", None) or (as_of.year if year_from else None)
    return Scope(profile, as_of, year_from, year_to, **parse_filters(args.filter))
