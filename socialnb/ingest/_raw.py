"""Reading raw export bytes: decoding, header normalisation, tables with physical line numbers,
and the value converters every reader shares.

Every problem is raised as :class:`~socialnb.errors.ExportError` naming the file, the physical
line (1-based, counting the lines of multi-line captions) and the column.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .. import _lazy
from ..errors import ExportError

np = _lazy.module("numpy", globals(), "np")
pd = _lazy.module("pandas", globals(), "pd")

__all__ = [
    "RawFile",
    "Table",
    "load_raw",
    "normalise_header",
    "read_csv_table",
    "MISSING_TOKENS",
]

#: Tokens that mean "no value" in metric columns (never in text columns: Meta's `Caption type`
#: uses N/A as a real value).
MISSING_TOKENS: frozenset[str] = frozenset(
    {"", "n/a", "na", "-", "--", "undefined", "null", "none"}
)

#: A single field longer than this is refused (a corrupted export, or not an export at all).
MAX_FIELD_CHARS = 1_000_000
csv.field_size_limit(MAX_FIELD_CHARS)

_BOMS = (
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)


@dataclass(frozen=True)
class RawFile:
    """The bytes of one export file, decoded once."""

    path: Path
    data: bytes
    sha256: str
    encoding: str | None  # None for binary formats (xlsx, zip)
    text: str | None  # decoded text without BOM; None for binary formats
    #: The zip this file was read from (``path`` is then ``<zip>/<member>``), else None.
    container: Path | None = None
    #: A large file on the streaming path (socialnb.ingest._stream): its scan (hash, line ends).
    #: ``data`` and ``text`` then hold only the file's first complete lines (enough to sniff it);
    #: ``read_csv_table`` reads the whole file from ``path``.
    stream: object | None = None

    @property
    def is_zip(self) -> bool:
        return (
            self.data[:4] in (b"PK\x03\x04", b"PK\x05\x06")
            and self.text is None
            and _is_zip(self.data)
        )

    @property
    def is_ole(self) -> bool:
        return self.data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

    @property
    def name(self) -> str:
        return self.path.name

    def lines(self, n: int) -> list[str]:
        """The first ``n`` physical lines of the text (without line ends)."""
        if self.text is None:
            return []
        size = 65536
        while True:  # look at a prefix only: files can be hundreds of MB
            head = self.text[:size]
            if head.count("\n") >= n or size >= len(self.text):
                lines = io.StringIO(head, newline=None).read().split("\n")
                if lines and lines[-1] == "":
                    lines.pop()
                return [line.rstrip("\r") for line in lines[:n]]
            size *= 4


def _line_of_offset(data: bytes, offset: int) -> tuple[int, int]:
    before = data[:offset]
    line = before.count(b"\n") + 1
    col = offset - (before.rfind(b"\n") + 1) + 1
    return line, col


def load_raw(path: str | Path) -> RawFile:
    """Read a file's bytes (never writing to it) and decode its text where it is text.

    Raises
    ------
    ExportError
        Empty files, unreadable files, and text that is not valid in its encoding (with the line
        and byte column of the first bad byte).
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ExportError(
            path, f"cannot be read ({exc.strerror}).", fix="check the path and its permissions."
        ) from exc
    return raw_from_bytes(path, data)


#: Zip archives (and .xlsx workbooks, which are zips) are refused before anything is extracted
#: when their members would unpack to more than this in total...
MAX_UNZIPPED_BYTES = 256 * 1024**2
#: ... or when they unpack to more than this many times their packed size (a "zip bomb": real
#: exports compress about 5-20 times). Checked only past 1 MiB, where a ratio means something.
MAX_ZIP_RATIO = 100


def check_zip_sizes(raw: RawFile, infos: Sequence) -> None:
    """Refuse a zip whose declared sizes are not those of an export, before extracting anything
    (``zipfile`` never unpacks more than a member's declared size)."""
    total = sum(i.file_size for i in infos)
    packed = sum(i.compress_size for i in infos)
    what = "workbook" if any(i.filename.startswith("xl/") for i in infos) else "zip"
    if total > MAX_UNZIPPED_BYTES:
        raise ExportError(
            raw.path,
            f"is a {what} that would unpack to {total / 1024**2:,.0f} MiB, more than an export "
            f"holds (limit {MAX_UNZIPPED_BYTES // 1024**2} MiB); nothing was extracted.",
            fix="check what the file is (unzip it by hand); remove it from raw/ if it is not a "
            "platform download, or export a shorter period.",
        )
    if total > 1024**2 and total > MAX_ZIP_RATIO * max(packed, 1):
        raise ExportError(
            raw.path,
            f"is a {what} that would unpack to {total / max(packed, 1):,.0f} times its packed size "
            f"({total / 1024**2:,.0f} MiB from {packed / 1024:,.0f} KiB; exports compress at "
            f"most about {MAX_ZIP_RATIO} times): it looks like a zip bomb, so nothing was extracted.",
            fix="remove it from raw/ and download the export again from the platform.",
        )


def damaged_zip(raw: RawFile) -> str | None:
    """What a file that starts like a zip but cannot be opened as one is (None if it is not)."""
    if raw.data[:4] != b"PK\x03\x04":
        return None
    head = raw.data[:65536]
    book = b"[Content_Types].xml" in head or b"xl/" in head or raw.path.suffix.lower() == ".xlsx"
    kind = "an .xlsx workbook (a zip inside)" if book else "a zip archive"
    return (
        f"starts like {kind} but its end (the zip directory) is missing or damaged: the file is "
        "cut short, as when a download did not finish."
    )


def _is_zip(data: bytes) -> bool:
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return not any(n.startswith("xl/") or n == "[Content_Types].xml" for n in zf.namelist())
    except zipfile.BadZipFile:
        return False


def raw_from_bytes(
    path: Path, data: bytes, *, container: Path | None = None, digest: str | None = None
) -> RawFile:
    """A :class:`RawFile` from bytes already read (zip members pass the zip as ``container``)."""
    digest = digest or hashlib.sha256(data).hexdigest()
    if not data.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
        raise ExportError(
            path,
            "the file is empty.",
            fix="download the export again; the download may have failed.",
        )
    if (
        data[:4] in (b"PK\x03\x04", b"PK\x05\x06")
        or data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    ):
        return RawFile(path, data, digest, None, None, container)
    encoding = "utf-8"
    body = data
    for bom, enc in _BOMS:
        if data.startswith(bom):
            encoding, body = enc, data[len(bom) :]
            break
    else:
        # UTF-16 without a BOM: every other byte is NUL in the first line.
        head = data[:200]
        if head.count(b"\x00") > len(head) // 3:
            encoding = "utf-16-le" if head[1:2] == b"\x00" else "utf-16-be"
    try:
        text = body.decode(encoding)
    except UnicodeDecodeError as exc:
        offset = exc.start + (len(data) - len(body))
        line, col = _line_of_offset(data, offset)
        raise ExportError(
            path,
            f"is not valid {encoding.upper()} text (byte 0x{body[exc.start]:02x} at character {col}).",
            line=line,
            fix="export the file again as UTF-8 CSV (in Excel: 'CSV UTF-8'), or describe its encoding in a "
            "mapping (see README, 'Hand-made spreadsheets').",
        ) from exc
    if "\r" in text and "\n" not in text:  # old Mac line ends (CR only): one CR ends one line
        text = text.replace("\r", "\n")
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise ExportError(
            path,
            "contains binary data (NUL characters), not text.",
            line=line,
            fix="this is not a CSV export; remove it from raw/ or download the export again.",
        )
    return RawFile(path, data, digest, encoding, text, container)


_WS = re.compile(r"\s+")


def normalise_header(name: object) -> str:
    """Normalise a header for matching: strip BOM and NBSP, trailing colons, collapse
    whitespace, Unicode NFKC, casefold."""
    s = unicodedata.normalize("NFKC", str(name)).replace("\ufeff", "").replace("\xa0", " ")
    s = _WS.sub(" ", s).strip().rstrip(":").strip()
    return s.casefold()


@dataclass
class Table:
    """A table of text cells read from a file, with the physical line of each record."""

    raw: RawFile
    headers: list[str]  # as written in the file
    frame: pd.DataFrame  # text cells, columns = position-indexed (0..n-1)
    lines: np.ndarray  # physical 1-based line of each record's start
    header_line: int
    normalised: list[str] = field(init=False)

    def __post_init__(self) -> None:
        self.normalised = [normalise_header(h) for h in self.headers]

    def find(self, aliases: Iterable[str]) -> int | None:
        """Position of the first column whose normalised name is one of ``aliases`` (exact)."""
        wanted = [normalise_header(a) for a in aliases]
        for w in wanted:
            if w in self.normalised:
                return self.normalised.index(w)
        return None

    def column(self, pos: int) -> pd.Series:
        return self.frame[pos]

    def fail(
        self,
        problem: str,
        *,
        row: int | None = None,
        column: int | None = None,
        fix: str | None = None,
    ):
        """Raise an ExportError at record ``row`` (0-based data row) and column position."""
        line = int(self.lines[row]) if row is not None else None
        name = self.headers[column] if column is not None else None
        raise ExportError(self.raw.path, problem, line=line, column=name, fix=fix)


def _sniff_delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (",", ";", "\t")}
    return max(counts, key=counts.get) if any(counts.values()) else ","


def _after_skipped(raw: RawFile, skip_lines: int) -> str:
    """The text from the header on (``skip_lines`` physical lines skipped)."""
    if not skip_lines:
        return raw.text
    parts = raw.text.split("\n", skip_lines)
    if len(parts) <= skip_lines or not parts[skip_lines].strip():
        raise ExportError(
            raw.path,
            "ends before its header.",
            line=skip_lines + 1,
            fix="download the export again; the file is cut short.",
        )
    return parts[skip_lines]


def _records(raw: RawFile, text: str, delim: str, skip_lines: int):
    """(header, records, physical start line of each record) read by the csv module, strictly:
    a record with another number of fields than the header is refused at its line."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim, strict=True)
    records: list[list[str]] = []
    starts: list[int] = []
    prev = 0
    header: list[str] | None = None
    try:
        for record in reader:
            start = prev + 1 + skip_lines
            prev = reader.line_num
            if header is None:
                header = record
                _check_header(raw, header, start)
                continue
            if not record or (len(record) == 1 and not record[0].strip()):
                continue
            if len(record) != len(header):
                raise ExportError(
                    raw.path,
                    f"this record has {len(record)} fields where the header has {len(header)}.",
                    line=start,
                    column=min(len(record), len(header)) + 1,
                    fix="the file looks cut short or edited by hand; download the export again "
                    "(if you saved it from a spreadsheet, keep the comma separator and the quotes).",
                )
            records.append(record)
            starts.append(start)
    except csv.Error as exc:
        raise _malformed(raw, exc, line=prev + 1 + skip_lines) from exc
    return header, records, starts


def _malformed(raw: RawFile, exc: csv.Error, *, line: int) -> ExportError:
    """The csv module's complaint in plain words, at its physical line."""
    problem = str(exc)
    if "field larger than field limit" in problem:
        problem = "malformed CSV (a field is too large to be an export value)."
    elif "unexpected end of data" in problem:
        problem = (
            "malformed CSV: a quoted field that starts in the record on this line is never "
            "closed (an unclosed quote), so the rest of the file was read into it."
        )
    elif "expected after" in problem:
        problem = (
            f"malformed CSV ({problem}): a quote in the record on this line does not open or "
            "close a field (an unclosed or stray quote)."
        )
    else:
        problem = f"malformed CSV ({problem})."
    return ExportError(
        raw.path,
        problem,
        line=line,
        fix="the file looks truncated, corrupt or hand-edited; download the export again (or "
        "fix the quotes on that line if you edited it).",
    )


def read_csv_table(
    raw: RawFile, *, skip_lines: int = 0, delimiter: str | None = None, usecols=None, numeric=None
) -> Table:
    """Read delimited text into a :class:`Table` of strings.

    ``skip_lines`` physical lines are skipped before the header (Meta's ``sep=,`` and title
    lines). Every record must have the header's number of fields; the first one that does not, an
    unclosed quote, or a field too large to be an export value is reported with its physical line.
    Blank lines are skipped.

    ``usecols(header) -> positions`` lets a reader say which columns it needs: large files are then
    parsed by DuckDB reading only those (``Table.frame`` holds just them, under their positions).
    ``numeric(header) -> positions`` names metric columns DuckDB may convert to float64 on that path
    (only when every cell is a plain number or a missing token; anything else takes the exact path).
    """
    if raw.text is None:
        raise ExportError(raw.path, "is a binary file, not CSV text.", fix="export it as CSV.")
    if raw.stream is not None:  # a large file read from its path (socialnb.ingest._stream)
        from ._stream import stream_table

        return stream_table(raw, skip_lines, delimiter, usecols, numeric)
    if not skip_lines and raw.encoding == "utf-8" and len(raw.data) >= FAST_PATH_BYTES:
        fast = _fast_table(raw, delimiter, usecols, numeric)
        if fast is not None:
            return fast
    text = _after_skipped(raw, skip_lines)
    delim = delimiter or _sniff_delimiter(text.split("\n", 1)[0])
    header, records, starts = _records(raw, text, delim, skip_lines)
    if header is None:
        raise ExportError(raw.path, "has no header line.", fix="download the export again.")
    ncols = len(header)
    frame = (
        pd.DataFrame(records, columns=range(ncols), dtype=object)
        if records
        else pd.DataFrame(columns=range(ncols), dtype=object)
    )
    return Table(
        raw=raw,
        headers=header,
        frame=frame,
        lines=np.asarray(starts, dtype=np.int64),
        header_line=skip_lines + 1,
    )


#: Files at least this large are parsed by pandas' C parser first (the csv module path is kept for
#: small files and for exact error locations when the fast parser refuses a file or sees a problem).
FAST_PATH_BYTES = 4 * 1024 * 1024


def _fast_table(raw: RawFile, delimiter: str | None, usecols, numeric) -> Table | None:
    """Parse a large UTF-8 CSV held in memory with DuckDB's parser
    (:func:`socialnb.ingest._stream.duck_table`: only the columns ``usecols(header)`` asks for,
    whole-number metric columns ``numeric(header)`` as float64); None when anything looks
    irregular, so the caller uses the exact csv-module path, which reports the problem with its
    line and column."""
    from ._stream import duck_table

    if raw.container is not None or not raw.path.is_file() or b"\n" not in raw.data:
        return None
    newlines = raw.text.count("\n") - (1 if raw.text.endswith("\n") else 0)
    table = duck_table(raw, raw.text.split("\n", 1)[0], delimiter, usecols, numeric, newlines)
    if table is None or raw.sha256 != _sha256_of(raw.path, fresh=True):
        return None  # irregular, or the file changed after it was read
    return table


#: SHA-256 of files already hashed in this process, by identity and stamp (device, inode, size,
#: modification and change times in ns: any write changes the change time), so one ingest does not
#: read a large file once per step that needs its digest.
_DIGESTS: dict[tuple, str] = {}
_DIGESTS_MAX = 1024


def _file_key(path: Path) -> tuple:
    st = path.stat()
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def known_sha256(path: Path) -> tuple[tuple, str | None]:
    """``path``'s stamp and its SHA-256 if this process hashed it with that stamp (else None)."""
    key = _file_key(path)
    return key, _DIGESTS.get(key)


def remember_sha256(key: tuple, digest: str) -> None:
    """Note ``digest`` for the file whose stamp was ``key`` (see :func:`known_sha256`)."""
    if len(_DIGESTS) >= _DIGESTS_MAX:
        _DIGESTS.clear()
    _DIGESTS[key] = digest


def _sha256_of(path: Path, *, fresh: bool = False) -> str:
    """SHA-256 of the file's bytes (``fresh``: read it again even if it was hashed already)."""
    key, digest = known_sha256(path)
    if digest is not None and not fresh:
        return digest
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 22), b""):
            h.update(block)
    if _file_key(path) == key:  # unchanged while it was read
        remember_sha256(key, h.hexdigest())
    return h.hexdigest()


def _check_header(raw: RawFile, header: list[str], line: int) -> None:
    seen: dict[str, int] = {}
    for i, h in enumerate(header):
        key = normalise_header(h)
        if key and key in seen:
            raise ExportError(
                raw.path,
                f"column {h!r} appears twice (columns {seen[key] + 1} and {i + 1}).",
                line=line,
                column=i + 1,
                fix="remove or rename the duplicated column; an unedited export never repeats a column.",
            )
        seen[key] = i


def csv_header(raw: RawFile, *, skip_lines: int = 0) -> list[str]:
    """The header fields of a CSV text file (after ``skip_lines`` lines), or [] if unreadable."""
    if raw.text is None:
        return []
    lines = raw.lines(skip_lines + 1)
    if len(lines) <= skip_lines:
        return []
    first = lines[skip_lines]
    try:
        return next(csv.reader([first], delimiter=_sniff_delimiter(first)))
    except (csv.Error, StopIteration):
        return []


def header_set(raw: RawFile, *, skip_lines: int = 0) -> set[str]:
    """The normalised header names of a CSV text file (empty if it has none): for sniffing."""
    return {normalise_header(h) for h in csv_header(raw, skip_lines=skip_lines)}


def alias_columns(
    aliases: dict[str, tuple[str, ...]],
    numeric_keys: Iterable[str],
    *,
    extra_numeric: Iterable[str] = (),
):
    """``(usecols, numeric)`` for :func:`read_csv_table`: the columns a reader maps (any alias of
    ``aliases``, and the ``extra_numeric`` names it looks up itself), and among them the metric
    columns (aliases of ``numeric_keys``, and ``extra_numeric``) that no text field also names."""
    keys = set(numeric_keys)
    extra = {normalise_header(n) for n in extra_numeric}
    metric = {normalise_header(a) for k in keys if k in aliases for a in aliases[k]} | extra
    text = {normalise_header(a) for k, names in aliases.items() if k not in keys for a in names}
    every = metric | text

    def usecols(header: list[str]) -> list[int]:
        return [i for i, h in enumerate(header) if normalise_header(h) in every]

    def numeric(header: list[str]) -> list[int]:
        norm = [normalise_header(h) for h in header]
        return [i for i, h in enumerate(norm) if h in metric and h not in text]

    return usecols, numeric


def has_any(head: set[str] | Sequence[str], names: Iterable[str]) -> bool:
    """True if any of ``names`` (normalised) is among the normalised headers ``head``."""
    return any(normalise_header(n) in head for n in names)


def has_fields(
    head: set[str] | Sequence[str], aliases: dict[str, tuple[str, ...]], *keys: str
) -> bool:
    """True if every canonical field in ``keys`` appears under one of its ``aliases``."""
    return all(has_any(head, aliases[k]) for k in keys)
