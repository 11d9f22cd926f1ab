"""Small deterministic draws and the captions of the sample brand's posts."""

from __future__ import annotations

import math
import random
from datetime import datetime
from decimal import Decimal

from ..periods import month_start, next_month
from .plan import GAMMA_SHAPE, TZ


def _export_moment(month: str) -> datetime:
    """The local moment a month's files were exported: the 2nd of the next month, 09:00."""
    y, m = month_start(next_month(month)).timetuple()[:2]
    return datetime(y, m, 2, 9, 0, tzinfo=TZ)


def _poisson(rng: random.Random, lam: float) -> int:
    if lam <= 0:
        return 0
    if lam < 40:
        limit, k, p = math.exp(-lam), 0, 1.0
        while True:
            p *= rng.random()
            if p <= limit:
                return k
            k += 1
    return max(0, int(round(rng.gauss(lam, math.sqrt(lam)))))


def _nb(rng: random.Random, mu: float, shape: float = GAMMA_SHAPE) -> int:
    """Negative binomial (gamma-Poisson) draw with mean ``mu``."""
    return _poisson(rng, mu * rng.gammavariate(shape, 1.0 / shape))


def _split(rng: random.Random, n: int, shares: tuple[float, ...]) -> list[int]:
    out = [0] * len(shares)
    cum = []
    acc = 0.0
    for s in shares:
        acc += s
        cum.append(acc)
    for _ in range(n):
        u = rng.random() * acc
        for i, c in enumerate(cum):
            if u < c:
                out[i] += 1
                break
    return out


def _digits(rng: random.Random, n: int, first: str = "") -> str:
    return first + "".join(str(rng.randrange(10)) for _ in range(n - len(first)))


_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def _code(rng: random.Random, n: int, alphabet: str = _B64) -> str:
    return "".join(alphabet[rng.randrange(len(alphabet))] for _ in range(n))


def _lifetime_fraction(age_days: float) -> float:
    return 1.0 - 0.45 * math.exp(-max(age_days, 0.0) / 2.5)


def _java_double(x: float) -> str:
    """Format like Java's ``Double.toString`` (what the legacy X export used)."""
    if x == 0:
        return "0.0"
    if 1e-3 <= abs(x) < 1e7:
        s = repr(x)
        return s if "." in s else s + ".0"
    sign, digits, exponent = Decimal(repr(x)).as_tuple()
    ds = "".join(str(d) for d in digits).rstrip("0") or "0"
    exp10 = int(exponent) + len(digits) - 1
    return f"{'-' if sign else ''}{ds[0]}.{ds[1:] or '0'}E{exp10}"


# ----------------------------------------------------------------------------------------------
# captions

EMOJI = ["🌲", "⛰️", "🥾", "🏕️", "☕", "🌧️", "🎒", "✨", "🔥", "🧭", "💚", "📸"]


def _bold(word: str) -> str:
    out = []
    for ch in word:
        if "A" <= ch <= "Z":
            out.append(chr(0x1D5D4 + ord(ch) - ord("A")))
        elif "a" <= ch <= "z":
            out.append(chr(0x1D5EE + ord(ch) - ord("a")))
        else:
            out.append(ch)
    return "".join(out)


TOPICS = {
    "education": [
        "layering for a wet ridge walk",
        "reading a contour map",
        "packing a 28 litre daypack",
        "keeping boots dry on boggy paths",
        "choosing a headtorch for winter",
        "pitching a tent in the wind",
        "drying a down jacket properly",
        "planning a first wild camp",
        "stretching after a long descent",
        "navigating when the cloud comes in",
    ],
    "community": [
        "our Peak District meet-up",
        "a reader's first Munro",
        "the Saturday litter pick on Kinder",
        "the Brecon Beacons sunrise crew",
        "your favourite flask recipes",
        "Lake District trail runners",
        "a family's first night under canvas",
        "the Snowdon horseshoe in winter",
    ],
    "product": [
        "the Ridgeline 35 pack",
        "our recycled fleece",
        "the Tarn waterproof jacket",
        "the new trail socks",
        "the Bothy stove",
        "the Scree gaiters",
        "the Fell hybrid insulated jacket",
        "our repair service",
    ],
}
STATEMENT_OPENERS = [
    "Here is how we handle {t}.",
    "{T}: the short version.",
    "Three things we learned about {t}.",
    "This is {t}, done properly.",
]
QUESTION_OPENERS = [
    "Ever wondered about {t}?",
    "What would you do about {t}?",
    "Is {t} harder than it looks?",
    "Have you tried {t} yet?",
]


def _caption(rng: random.Random, pillar: str, series: str, *, opener: str = "", long: bool = False):
    topic = rng.choice(TOPICS[pillar])
    if opener == "question":
        first = rng.choice(QUESTION_OPENERS)
    elif opener == "statement":
        first = rng.choice(STATEMENT_OPENERS)
    else:
        first = rng.choice(STATEMENT_OPENERS + QUESTION_OPENERS[:1])
    first = first.format(t=topic, T=topic[0].upper() + topic[1:])
    if series:
        first = f"{series}: {first}"
    parts = [first]
    if rng.random() < 0.35:
        parts[0] += " " + rng.choice(EMOJI)
    body = rng.choice(
        [
            "Save this for your next trip.",
            'As one of you put it: "pack for the weather you fear, not the one forecast."',
            "Tell us yours in the comments.",
            "Link in bio for the full guide.",
            "Photos by our community, shared with permission.",
            "Tag someone who needs this before the weekend.",
        ]
    )
    if rng.random() < 0.12:
        body = _bold(rng.choice(["New", "Tip", "Free", "Repair"])) + " " + body
    if long:
        body += (
            "\n\nWe tested this over three seasons on the fells, in sideways rain and in the "
            "odd heatwave, and the notes above are what survived. If you've a better trick, "
            "we'd genuinely love to hear it."
        )
    parts.append(body)
    if rng.random() < 0.5:
        parts.append(
            " ".join(
                rng.sample(
                    ["#outdoors", "#hiking", "#fernway", "#trail", "#ukhiking", "#campinglife"], 3
                )
            )
        )
    return "\n".join(parts), topic
