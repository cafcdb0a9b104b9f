"""The page registry: every page of the dashboard, in navigation order, in plain Python.

app.py builds Streamlit's navigation from it; the briefing links slides to pages by it; the
browser tests, the docs test and bench/bench_pages.py open every page from it. Nothing here
imports Streamlit.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Page:
    """One page: its file under pages/, title, url_path, icon and sidebar group."""

    file: str
    title: str
    url_path: str
    icon: str
    group: str
    default: bool = False

    @property
    def path(self) -> str:
        """Where the page lives in the URL: Streamlit serves the default page at the root, whatever its url_path."""
        return "" if self.default else self.url_path


PAGES: tuple[Page, ...] = (
    Page("pages/overview.py", "总览", "overview", ":material/dashboard:", "看板", default=True),
    Page("pages/targets.py", "目标进度", "targets", ":material/flag:", "看板"),
    Page("pages/coverage.py", "产业集群覆盖", "coverage", ":material/hub:", "看板"),
    Page("pages/subsidies.py", "资金补贴", "subsidies", ":material/payments:", "看板"),
    Page("pages/reviews.py", "评估与报告", "reviews", ":material/event:", "看板"),
    Page("pages/compliance.py", "合规检查", "compliance", ":material/rule:", "看板"),
    Page("pages/alliance.py", "联盟档案", "alliance", ":material/search:", "看板"),
    Page("pages/priorities.py", "年度工作重点", "priorities", ":material/edit_note:", "工作"),
    Page("pages/briefing.py", "简报导出", "briefing", ":material/slideshow:", "工作"),
    Page("pages/data.py", "数据", "data", ":material/database:", "数据"),
    Page("pages/import.py", "数据导入", "import", ":material/upload_file:", "数据"),
    Page("pages/audit.py", "操作记录", "audit", ":material/history:", "数据"),
    Page("pages/settings.py", "设置", "settings", ":material/tune:", "数据"),
)


def groups() -> dict[str, list[Page]]:
    """The pages by sidebar group, groups and pages in navigation order."""
    out: dict[str, list[Page]] = {}
    for page in PAGES:
        out.setdefault(page.group, []).append(page)
    return out


def by_title(title: str) -> Page | None:
    """The page with this title, or None."""
    return next((p for p in PAGES if p.title == title), None)


def by_file(file: str) -> Page:
    """The page of this file (e.g. "pages/alliance.py")."""
    return next(p for p in PAGES if p.file == file)
