"""Post links: the one key under which every form of a post's link is compared."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from .. import _lazy

pd = _lazy.module("pandas", globals(), "pd")


__all__ = ["link_key", "post_keys", "UNDECODABLE_LINKS"]


# ====================================================================================== post links
#: Key prefixes of links that name a post but cannot be turned into its id offline (Facebook's
#: ``pfbid`` permalinks and ``/share/`` links): they match only the very same link.
UNDECODABLE_LINKS: tuple[str, ...] = ("pfbid:", "share:")

_FB_ID_PATHS = re.compile(
    r"/(?:reel|reels|videos|posts|photos|watch/live|story)/(?:[^/]+/)*?(\d{6,})(?:/|$)"
)
_IG_CODE = re.compile(r"/(?:p|reel|reels|tv)/([A-Za-z0-9_-]{5,})(?:/|$)")


def link_key(link: object) -> str:
    """The one key under which a post link is compared, the same for every form of the link.

    Used by the calendar matching (:func:`socialnb.calendar.match_calendar`) and so by every page
    that reads posts through :meth:`socialnb.workspace.Workspace.posts`.

    - A numeric post id the link carries becomes ``id:<digits>``: Facebook ``/reel/<id>``,
      ``/videos/<id>``, ``/<page>/posts/<id>``, ``watch?v=<id>``, ``photo?fbid=<id>``,
      ``permalink.php?story_fbid=<id>``, X ``/status/<id>``, YouTube ``watch?v=``/``youtu.be``
      codes (``id:<code>``).
    - An Instagram shortcode (``/p/<code>``, ``/reel/<code>``, ``/reels/<code>``, ``/tv/<code>``,
      with or without the account name before it) becomes ``ig:<code>`` (case kept).
    - A Facebook ``pfbid...`` (in a path or ``story_fbid=``) becomes ``pfbid:<code>`` and a
      ``/share/...`` link ``share:<code>``: neither can be decoded offline, so they match only the
      same link (see :data:`UNDECODABLE_LINKS`).
    - Anything else: the link without scheme, ``www.``/``m.``, query and trailing slash
      (``url:<rest>``). An empty link gives ``""``.

    Examples
    --------
    >>> link_key("https://www.facebook.com/reel/1187346625790121/?s=1")
    'id:1187346625790121'
    >>> link_key("instagram.com/fernway/reel/C9xQ2bLtR4k")
    'ig:C9xQ2bLtR4k'
    >>> link_key("https://www.facebook.com/share/p/1AbCdEf/")
    'share:1AbCdEf'
    """
    text = "" if link is None or (isinstance(link, float) and link != link) else str(link).strip()
    if not text or text.lower() in ("nan", "<na>", "none"):
        return ""
    if "://" not in text:
        text = "https://" + text
    parts = urlsplit(text)
    host = re.sub(r"^(www\.|m\.|mobile\.|web\.|business\.)", "", parts.netloc.lower())
    path = parts.path
    query = parse_qs(parts.query)
    first = {k.lower(): v[0] for k, v in query.items() if v}
    if host in ("facebook.com", "fb.com", "fb.watch"):
        for name in ("story_fbid", "fbid", "v"):
            value = first.get(name, "")
            if value.startswith("pfbid"):
                return "pfbid:" + value
            if value.isdigit():
                return "id:" + value
        share = re.search(r"/share/(?:[a-z]/)?([A-Za-z0-9_-]+)", path)
        if share:
            return "share:" + share.group(1)
        pfbid = re.search(r"/(pfbid[A-Za-z0-9]+)", path)
        if pfbid:
            return "pfbid:" + pfbid.group(1)
        found = _FB_ID_PATHS.search(path)
        if found:
            return "id:" + found.group(1)
    elif host in ("instagram.com", "instagr.am"):
        found = _IG_CODE.search(path)
        if found:
            return "ig:" + found.group(1)
    elif host in ("x.com", "twitter.com"):
        found = re.search(r"/status(?:es)?/(\d+)", path)
        if found:
            return "id:" + found.group(1)
    elif host in ("youtube.com", "youtu.be"):
        if host == "youtu.be" and path.strip("/"):
            return "id:" + path.strip("/").split("/")[0]
        if first.get("v"):
            return "id:" + first["v"]
        found = re.search(r"/(?:shorts|live|embed)/([A-Za-z0-9_-]+)", path)
        if found:
            return "id:" + found.group(1)
    rest = (host + path).rstrip("/")
    return "url:" + rest.lower()


def post_keys(post_id: object, permalink: object = None) -> set[str]:
    """Every key (see :func:`link_key`) under which a published post can be named: its id
    (``id:<id>``; a Facebook ``<page>_<post>`` id also as ``id:<post>``) and its permalink's key.

    >>> sorted(post_keys("104_1187346625790121", "https://facebook.com/reel/1187346625790121"))
    ['id:104_1187346625790121', 'id:1187346625790121']
    """
    keys: set[str] = set()
    pid = "" if post_id is None or pd.isna(post_id) else str(post_id).strip()
    if pid:
        keys.add("id:" + pid)
        page_post = re.fullmatch(r"\d+_(\d+)", pid)
        if page_post:
            keys.add("id:" + page_post.group(1))
    key = link_key(permalink)
    if key:
        keys.add(key)
    return keys
