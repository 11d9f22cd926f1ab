"""Write the bad-file corpus beside this script (run it again after changing it; the files are
committed). Each file must be refused by ``socialnb.read_export`` with an ExportError naming the
file (and the line and column where there is one) and saying what to do.

``EXPECT`` maps each file name to (line or None, text the message must contain)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

HERE = Path(__file__).parent
BOM = "\ufeff"

FB_HEAD = (
    '"Post ID","Page ID","Page name",Title,Description,"Duration (sec)","Publish time","Caption type",'
    'Permalink,"Post type",Date,Views,Reach,"Reactions, Comments and Shares",Reactions,Comments,Shares,'
    '"Total clicks"'
)


def fb_row(
    pid="1262357368250013",
    when="10/30/2026 11:05",
    views="3592",
    reach="2525",
    reactions="36",
    title="Gear Friday",
    ptype="Photos",
) -> str:
    return (
        f'{pid},104857396021573,"Fernway Outdoor Co.","{title}",,0,"{when}",N/A,'
        f"https://www.facebook.com/104857396021573/posts/pfbid0L1,{ptype},Lifetime,{views},{reach},46,"
        f"{reactions},8,2,38"
    )


def fb(*rows: str) -> bytes:
    return (BOM + "\n".join([FB_HEAD, *rows]) + "\n").encode("utf-8")


FILE = "Oct-01-2026_Oct-31-2026_1.csv"
XP_HEAD = "Post id,Date,Post text,Post Link,Impressions,Likes,Engagements,Bookmarks,Shares,New follows,Replies,Reposts"
XP_ROW = '2115432141421202095,"Wed, Oct 28, 2026","Hi",https://x.com/Fernway/status/2115432141421202095,1124,10,29,2,1,1,3,3'
TT_HEAD = '"Time","Video title","Video link","Post time","Total likes","Total comments","Total shares","Total views"'
TT_ROW = '"November 2","Hi","https://www.tiktok.com/@fernway/video/7312345678901234567","October 9","10","2","1","300"'
YT_HEAD = "Content,Video title,Video publish time,Duration,Views,Watch time (hours),Subscribers,Impressions,Impressions click-through rate (%)"


def zipped(members: dict[str, bytes], compress: int = zipfile.ZIP_STORED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in members.items():
            info = zipfile.ZipInfo(name, date_time=(2026, 11, 2, 9, 0, 0))
            info.compress_type = compress
            zf.writestr(info, data)
    return buf.getvalue()


def xlsx(sheets: dict[str, list[list]]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for r in rows:
            ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


LI_NOTE = ["Engagement metrics for individual posts."]
LI_HEAD = [
    "Post title",
    "Post link",
    "Post type",
    "Posted by",
    "Created date",
    "Impressions",
    "Clicks",
    "Likes",
    "Comments",
    "Reposts",
    "Follows",
    "Engagement rate",
    "Content Type",
]


def li_row(
    link="https://www.linkedin.com/feed/update/urn:li:activity:7101234567890123456",
    created="10/05/2026",
    impressions=1200,
    rate="0.04",
):
    return ["Hi", link, "Organic", "Maya", created, impressions, 12, 30, 2, 1, 0, rate, "Image"]


FILES: dict[str, bytes] = {
    "01_empty.csv": b"",
    "02_only_whitespace.csv": b"\n\n   \n",
    "03_header_only.csv": fb(),
    "04_truncated_mid_row.csv": fb(fb_row(), fb_row(pid="1222718636357258"))[:-60],
    "05_unclosed_quote.csv": fb(
        fb_row(), fb_row(pid="1222718636357258", title='Broken "quote')
    ).replace(b'Broken "quote"', b'"Broken quote'),
    "06_wrong_delimiter_semicolon.csv": (
        FB_HEAD
        + "\n"
        + fb_row().replace('"Fernway Outdoor Co."', "Fernway").replace(",", ";")
        + "\n"
    ).encode(),
    "07_binary_garbage.csv": bytes(range(256)) * 8,
    "08_png_named_csv.csv": b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(64),
    "09_latin1_not_utf8.csv": (FB_HEAD + "\n" + fb_row(title="Caf\xe9 caf\xe9")).encode("latin-1"),
    "10_duplicated_column.csv": fb(fb_row())
    .replace(b'"Total clicks"', b"Reach", 1)
    .replace(b",38\n", b",2525\n"),
    "11_non_numeric_count.csv": fb(fb_row(), fb_row(pid="1222718636357258", views="lots")),
    "12_negative_count.csv": fb(fb_row(), fb_row(pid="1222718636357258", reactions="-4")),
    "13_id_scientific_notation.csv": fb(fb_row(pid="1.26236E+15")),
    "14_unparseable_date.csv": fb(
        fb_row(), fb_row(pid="1222718636357258", when="30/30/2026 11:05")
    ),
    "15_future_date.csv": fb(fb_row(when="10/30/2031 11:05")),
    "16_unknown_tool.csv": b"campaign,spend,clicks\nspring,120.5,300\n",
    "17_zip_with_nothing_useful.zip": zipped(
        {"readme.txt": b"hello", "notes/todo.md": b"- nothing"}
    ),
    "18_huge_single_field.csv": fb(fb_row(title="x" * 1_100_000)),
    "19_missing_required_column.csv": fb(fb_row()).replace(b'"Publish time"', b'"Published"'),
    "20_blank_publish_time.csv": fb(fb_row(), fb_row(pid="1222718636357258", when="")),
    "21_extra_field_in_row.csv": fb(fb_row(), fb_row(pid="1222718636357258") + ",surplus"),
    "22_nul_bytes_in_text.csv": fb(fb_row()).replace(b"Gear Friday", b"Gear\x00Friday"),
    "23_empty_zip.zip": zipped({}),
    "24_corrupt_zip.zip": zipped({"Content.csv": (BOM + TT_HEAD + "\n" + TT_ROW + "\n").encode()})[
        :-40
    ],
    "25_x_premium_bad_date.csv": (
        XP_HEAD + "\n" + XP_ROW.replace("Wed, Oct 28, 2026", "28th of Octember") + "\n"
    ).encode(),
    "26_x_premium_infinite.csv": (
        XP_HEAD + "\n" + XP_ROW.replace(",1124,", ",1e400,") + "\n"
    ).encode(),
    "27_tiktok_bad_link.csv": (
        BOM + TT_HEAD + "\n" + TT_ROW.replace("/video/7312345678901234567", "/photo/x") + "\n"
    ).encode(),
    "28_tiktok_unparseable_day.csv": (
        BOM + TT_HEAD + "\n" + TT_ROW.replace('"October 9"', '"Brumaire 9"') + "\n"
    ).encode(),
    "29_youtube_bad_id.csv": (
        YT_HEAD
        + '\nTotal,,,,10,1.0,1,100,1.0\nnot a video id!,T,"Dec 15, 2023",60,10,1.0,1,100,1.0\n'
    ).encode(),
    "30_youtube_bad_duration.csv": (
        YT_HEAD.replace("Duration", "Average view duration")
        + '\nabcdefghijk,T,"Dec 15, 2023",about a minute,10,1.0,1,100,1.0\n'
    ).encode(),
    "31_linkedin_member_workbook.xlsx": xlsx(
        {n: [["x"]] for n in ("DISCOVERY", "ENGAGEMENT", "FOLLOWERS", "DEMOGRAPHICS", "TOP POSTS")}
    ),
    "32_linkedin_no_urn.xlsx": xlsx(
        {"All posts": [LI_NOTE, LI_HEAD, li_row(link="https://example.com/post/1")]}
    ),
    "33_linkedin_bad_rate.xlsx": xlsx(
        {"All posts": [LI_NOTE, LI_HEAD, li_row(rate="high", created="10/25/2026")]}
    ),
    "34_corrupt_xlsx.xlsx": xlsx({"All posts": [LI_NOTE, LI_HEAD, li_row()]})[:400],
    "35_meta_daily_unknown_title.csv": (
        'sep=,\n"Mystery metric"\n"Date","Primary"\n"2025-09-20T00:00:00","20"\n'
    ).encode("utf-16"),
    "36_meta_daily_truncated.csv": 'sep=,\n"Views"\n'.encode("utf-16"),
    "37_spreadsheetml_broken.xls": b'<?xml version="1.0"?>\n<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"><Worksheet><Table><Row>',
    "38_zip_with_bad_member.zip": zipped(
        {"Content.csv": (BOM + TT_HEAD + "\n" + TT_ROW.replace('"300"', '"many"') + "\n").encode()}
    ),
    # issue 11: one cell contract (findings 7, 8), truncation (6), zip limits (10), messages (15)
    "39_count_percent.csv": fb(fb_row(), fb_row(pid="1222718636357258", views="12%")),
    "40_count_fraction.csv": fb(fb_row(), fb_row(pid="1222718636357258", views="1.234")),
    "41_count_huge.csv": fb(fb_row(), fb_row(pid="1222718636357258", reactions="1e30")),
    "42_cut_in_last_field.csv": fb(fb_row(), fb_row(pid="1222718636357258"))[:-2],
    "43_meta_daily_cut_in_last_field.csv": (
        'sep=,\n"Facebook Link Clicks"\n"Date","Primary"\n"2025-09-20T00:00:00","3"\n'
        '"2025-09-21T00:00:00",'
    ).encode("utf-16"),
    "44_zip_bomb.zip": zipped({"Content.csv": b"0" * (4 * 1024 * 1024)}, zipfile.ZIP_DEFLATED),
    "45_xlsx_bomb.xlsx": zipped(
        {
            "[Content_Types].xml": b"<Types/>",
            "xl/workbook.xml": b"<workbook/>",
            "xl/worksheets/sheet1.xml": b" " * (4 * 1024 * 1024),
        },
        zipfile.ZIP_DEFLATED,
    ),
    "46_unclosed_quote_to_the_end.csv": fb(
        fb_row(), fb_row(pid="1222718636357258", title="Broken"), fb_row(pid="1222718636357259")
    ).replace(b'"Broken"', b'"Broken', 1),
    "48_linkedin_ambiguous_dates.xlsx": xlsx({"All posts": [LI_NOTE, LI_HEAD, li_row()]}),
    "49_linkedin_contradictory_dates.xlsx": xlsx(
        {
            "All posts": [
                LI_NOTE,
                LI_HEAD,
                li_row(created="25/10/2026"),
                li_row(
                    link="https://www.linkedin.com/feed/update/urn:li:activity:7101234567890123457",
                    created="10/26/2026",
                ),
            ]
        }
    ),
    "47_quote_never_closed.csv": fb(fb_row(), fb_row(pid="1222718636357258")[:-2] + '"38'),
}

#: file -> (line expected in the message or None, a phrase the message must contain)
EXPECT: dict[str, tuple[int | None, str]] = {
    "01_empty.csv": (None, "empty"),
    "02_only_whitespace.csv": (None, "empty"),
    "03_header_only.csv": (2, "no posts"),
    "04_truncated_mid_row.csv": (3, "cut short inside its last line"),
    "05_unclosed_quote.csv": (None, "malformed CSV"),
    "06_wrong_delimiter_semicolon.csv": (2, "fields where the header has"),
    "07_binary_garbage.csv": (2, "not valid UTF-8"),
    "08_png_named_csv.csv": (1, "binary data"),
    "09_latin1_not_utf8.csv": (2, "not valid UTF-8"),
    "10_duplicated_column.csv": (1, "appears twice"),
    "11_non_numeric_count.csv": (3, "is not a number"),
    "12_negative_count.csv": (3, "negative"),
    "13_id_scientific_notation.csv": (2, "scientific notation"),
    "14_unparseable_date.csv": (3, "not a date/time"),
    "15_future_date.csv": (2, "in the future"),
    "16_unknown_tool.csv": (1, "not an export socialnb recognises"),
    "17_zip_with_nothing_useful.zip": (None, "no export socialnb recognises"),
    "18_huge_single_field.csv": (None, "too large"),
    "19_missing_required_column.csv": (1, "not an export socialnb recognises"),
    "20_blank_publish_time.csv": (3, "not a date/time"),
    "21_extra_field_in_row.csv": (3, "fields where the header has"),
    "22_nul_bytes_in_text.csv": (2, "binary data"),
    "23_empty_zip.zip": (None, "no export socialnb recognises"),
    "24_corrupt_zip.zip": (None, "starts like a zip archive but its end"),
    "25_x_premium_bad_date.csv": (2, "not a date/time"),
    "26_x_premium_infinite.csv": (2, "not a finite number"),
    "27_tiktok_bad_link.csv": (2, "not a TikTok video link"),
    "28_tiktok_unparseable_day.csv": (2, "not a date/time"),
    "29_youtube_bad_id.csv": (3, "not a YouTube video id"),
    "30_youtube_bad_duration.csv": (2, "not a duration"),
    "31_linkedin_member_workbook.xlsx": (None, "personal (member) analytics"),
    "32_linkedin_no_urn.xlsx": (3, "urn:li:activity"),
    "33_linkedin_bad_rate.xlsx": (3, "is not a number"),
    "34_corrupt_xlsx.xlsx": (None, "workbook (a zip inside) but its end"),
    "35_meta_daily_unknown_title.csv": (2, "does not know"),
    "36_meta_daily_truncated.csv": (None, "not an export socialnb recognises"),
    "37_spreadsheetml_broken.xls": (None, "cannot be opened"),
    "38_zip_with_bad_member.zip": (2, "is not a number"),
    "39_count_percent.csv": (3, "is a percentage, but this column is a count"),
    "40_count_fraction.csv": (3, "is not a whole number"),
    "41_count_huge.csv": (3, "larger than any real count"),
    "42_cut_in_last_field.csv": (3, "cut short inside its last line"),
    "43_meta_daily_cut_in_last_field.csv": (5, "cut short inside its last line"),
    "44_zip_bomb.zip": (None, "zip bomb"),
    "45_xlsx_bomb.xlsx": (None, "zip bomb"),
    "46_unclosed_quote_to_the_end.csv": (3, "unclosed or stray quote"),
    "47_quote_never_closed.csv": (3, "never closed"),
    "48_linkedin_ambiguous_dates.xlsx": (3, "the dates are ambiguous: no day is above 12"),
    "49_linkedin_contradictory_dates.xlsx": (3, "day/month order contradicts itself"),
}


def main() -> None:
    assert set(FILES) == set(EXPECT)
    for name, data in FILES.items():
        (HERE / name).write_bytes(data)


if __name__ == "__main__":
    main()
