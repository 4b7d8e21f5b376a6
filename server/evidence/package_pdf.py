"""The custody log of one package item as a printable PDF (fpdf2).

A title page says what the log is about (the incident, the recording, the file's hash, the
chain's head hash, who exported it and with which key) and a table lists every entry, full
hashes included, so a clerk can compare a printed page with `custody.csv` or with the manifest.
The text is typeset in DejaVu Sans, shipped in `fonts/` (Bitstream Vera licence, LICENSE there):
names, reasons and titles may be in Uzbek or Russian, which the PDF core fonts cannot show.
Pure: bytes in memory, no clock (the export time is given) and no file but the fonts.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Final

from fpdf import FPDF
from fpdf.fonts import FontFace

from server.chain import canonical_json
from server.custody.schemas import CustodyEntry
from server.evidence.package_manifest import IncidentFacts, PackageItem

FONTS: Final = Path(__file__).with_name("fonts")
FAMILY: Final = "DejaVu"
TITLE_PT: Final = 20
HEADING_PT: Final = 12
BODY_PT: Final = 10
TABLE_PT: Final = 7
MARGIN_MM: Final = 12
LINE_MM: Final = 6
LABEL_MM: Final = 62
COLUMNS: Final = ("#", "Time (UTC)", "Actor", "Event", "Reason", "Details", "Entry hash")
COLUMN_MM: Final = (12, 34, 36, 26, 52, 62, 51)
"""Widths of the table's columns on landscape A4 (273 mm between the margins)."""


class CustodyPdf(FPDF):
    """Landscape A4 with a footer naming the item on every page."""

    def __init__(self, footer_text: str) -> None:
        super().__init__(orientation="L", unit="mm", format="A4")
        self.footer_text = footer_text
        self.add_font(FAMILY, "", str(FONTS / "DejaVuSans.ttf"))
        self.add_font(FAMILY, "B", str(FONTS / "DejaVuSans-Bold.ttf"))
        self.set_margins(MARGIN_MM, MARGIN_MM)
        self.set_auto_page_break(auto=True, margin=MARGIN_MM + 4)

    def footer(self) -> None:
        self.set_y(-MARGIN_MM)
        self.set_font(FAMILY, "", TABLE_PT)
        self.cell(0, 4, f"{self.footer_text} · page {self.page_no()}/{{nb}}", align="C")


def custody_pdf(
    incident: IncidentFacts,
    item: PackageItem,
    chain: list[CustodyEntry],
    exported: tuple[dt.datetime, str, str],
) -> bytes:
    """`exported` is (when, by whom, the signing key's fingerprint)."""
    pdf = CustodyPdf(f"Incident {incident.id} · recording {item.recording_id} · custody log")
    pdf.set_title(f"Custody log of recording {item.recording_id}")
    pdf.set_creator("Posbon")
    pdf.set_creation_date(exported[0])
    _title_page(pdf, incident, item, exported)
    _entries(pdf, chain)
    return bytes(pdf.output())


def _title_page(
    pdf: CustodyPdf,
    incident: IncidentFacts,
    item: PackageItem,
    exported: tuple[dt.datetime, str, str],
) -> None:
    pdf.add_page()
    pdf.set_font(FAMILY, "B", TITLE_PT)
    pdf.cell(0, 12, "Chain of custody", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, "", HEADING_PT)
    pdf.cell(0, 8, f"Incident {incident.id}: {incident.title}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    for label, value in _facts(incident, item, exported):
        pdf.set_font(FAMILY, "B", BODY_PT)
        pdf.cell(LABEL_MM, LINE_MM, label)
        pdf.set_font(FAMILY, "", BODY_PT)
        pdf.multi_cell(0, LINE_MM, value or "—", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font(FAMILY, "", BODY_PT - 1)
    pdf.multi_cell(
        0,
        LINE_MM - 1,
        "Each entry's hash is SHA-256 over the previous entry's hash and the entry's facts, so "
        "an edited, removed or reordered entry breaks every hash after it. The package holds "
        "the same entries as custody.csv; `posbon evidence verify-package` recomputes the chain "
        "and checks it ends in the head hash above, which the signed manifest states.",
    )


def _facts(
    incident: IncidentFacts, item: PackageItem, exported: tuple[dt.datetime, str, str]
) -> list[tuple[str, str | None]]:
    camera, device = item.camera, item.device
    kind = item.role.value + (f", derived from {item.derived_from}" if item.derived_from else "")
    recorded = f"{_when(camera.recorded_start)} to {_when(camera.recorded_stop)}"
    return [
        ("Incident", f"{incident.id} ({incident.kind}, {incident.status})"),
        ("Site", ", ".join(part for part in (incident.site_name, incident.site_address) if part)),
        ("Incident opened", _when(incident.created_at)),
        ("Recording", item.recording_id),
        ("Kind", kind),
        ("File in the package", item.file or _why_no_file(item)),
        ("File SHA-256", item.sha256),
        ("File size (bytes)", None if item.size_bytes is None else f"{item.size_bytes:,}"),
        ("Recorded", recorded),
        ("Camera", " ".join(part for part in (device.serial, device.model) if part)),
        ("Synced by", f"{item.owner_name or ''} ({item.owner or 'unknown'})"),
        ("Uploaded by", item.uploader),
        ("Custody entries", str(item.custody.entries)),
        ("Head hash (last entry)", item.custody.head_hash),
        ("Exported", f"{_when(exported[0])} by {exported[1]}"),
        ("Signing key fingerprint", exported[2]),
    ]


def _why_no_file(item: PackageItem) -> str:
    if item.deleted:
        return "none: deleted at the end of its retention (see the log)"
    return "none: no verified file has arrived"


def _entries(pdf: CustodyPdf, chain: list[CustodyEntry]) -> None:
    pdf.add_page()
    pdf.set_font(FAMILY, "B", HEADING_PT)
    pdf.cell(0, 8, f"Entries ({len(chain)})", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, "", TABLE_PT)
    with pdf.table(
        col_widths=COLUMN_MM,
        width=sum(COLUMN_MM),
        text_align="LEFT",
        line_height=3.5,
        headings_style=FontFace(emphasis="BOLD", fill_color=(225, 225, 225)),
    ) as table:
        table.row(COLUMNS)
        for entry in chain:
            table.row(
                (
                    str(entry.id),
                    _when(entry.at),
                    entry.actor,
                    entry.kind.value,
                    entry.reason,
                    canonical_json(entry.data) if entry.data else "",
                    entry.hash,
                )
            )


def _when(moment: dt.datetime | None) -> str:
    if moment is None:
        return "—"
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
