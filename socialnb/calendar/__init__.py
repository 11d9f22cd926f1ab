"""The content calendar: the sheet people keep (:mod:`.sheet`), the one way a post link is
named (:mod:`.links`) and the one matcher of calendar rows to published posts (:mod:`.match`),
which :meth:`socialnb.workspace.Workspace.posts`, the retro and ideation all use.

>>> from socialnb.calendar import link_key
>>> link_key("https://www.facebook.com/fernway/posts/1187346625790121")
'id:1187346625790121'
"""

from __future__ import annotations

from .links import UNDECODABLE_LINKS, link_key, post_keys
from .match import CalendarMatch, match_calendar, tag_posts, title_similarity
from .sheet import (
    CALENDAR_COLUMNS,
    CALENDAR_STATUSES,
    CalendarRow,
    brand_calendar,
    calendar_file,
    calendar_sql_columns,
    load_calendar,
)

__all__ = [
    "load_calendar",
    "brand_calendar",
    "calendar_file",
    "CalendarRow",
    "CALENDAR_COLUMNS",
    "CALENDAR_STATUSES",
    "calendar_sql_columns",
    "link_key",
    "post_keys",
    "UNDECODABLE_LINKS",
    "CalendarMatch",
    "match_calendar",
    "tag_posts",
    "title_similarity",
]
