"""Generate the fictional sample manual of NikDesk's embedded sample library.

The document describes the *fictional* hybrid inverter family "NX-Hybrid 6/8/10"
of the *fictional* manufacturer "Nordlicht Energietechnik GmbH". All figures are
invented but plausible. The output is deterministic (fixed creation date), so the
generated PDF can be committed and regenerated without spurious diffs.

Usage:
    python make_sample_manual.py [OUT_DIR]      # default OUT_DIR: this folder
"""

from __future__ import annotations

import sys
from datetime import datetime, timezone
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import PageMode, XPos, YPos
from fpdf.fonts import FontFace

PDF_NAME = "Nordlicht_NX-Hybrid_Installations-und_Servicehandbuch_DE.pdf"
TITLE = "NX-Hybrid 6/8/10 – Installations- und Servicehandbuch"
HEADER_TEXT = "NX-Hybrid – Installations- und Servicehandbuch"
DOC_NO = "Dok.-Nr. NE-IH-NXH-DE-13 · Version 1.3 · 03/2026"
CREATION_DATE = datetime(2026, 3, 2, 9, 0, 0, tzinfo=timezone.utc)

FONT_DIRS = (
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/dejavu"),
    Path("/usr/share/fonts/TTF"),
    Path("/usr/local/share/fonts"),
    Path("/Library/Fonts"),
    Path("C:/Windows/Fonts"),
)
DEJAVU_FILES = {
    "": "DejaVuSans.ttf",
    "B": "DejaVuSans-Bold.ttf",
    "I": "DejaVuSans-Oblique.ttf",
    "BI": "DejaVuSans-BoldOblique.ttf",
}

# Characters outside Latin-1 that the text uses, with fallbacks for core fonts.
_LATIN1_FALLBACK = {
    "–": "-", "—": "-", "−": "-", "•": "-", "·": "-", "„": '"', "“": '"',
    "”": '"', "‚": "'", "‘": "'", "’": "'", "…": "...", "≥": ">=", "≤": "<=",
    "Ω": "Ohm", "→": "->", "≈": "~", "⚠": "!", "\u2009": " ", "\u202f": " ",
}

BLUE = (0, 74, 128)
LIGHT_BLUE = (222, 235, 247)
GREY_ROW = (244, 246, 248)


def _find_dejavu() -> dict[str, Path] | None:
    for d in FONT_DIRS:
        paths = {style: d / name for style, name in DEJAVU_FILES.items()}
        if all(p.is_file() for p in paths.values()):
            return paths
    return None


class ManualPDF(FPDF):
    """A4 manual with running header/footer, numbered headings and outline."""

    def __init__(self) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        fonts = _find_dejavu()
        if fonts:
            for style, path in fonts.items():
                self.add_font("DejaVu", style, str(path))
            self.family = "DejaVu"
            self.unicode_ok = True
        else:  # core fonts: Latin-1 only, which still covers äöüÄÖÜß°²µ
            self.family = "Helvetica"
            self.unicode_ok = False
        self.set_margins(18, 22, 18)
        self.set_auto_page_break(True, margin=20)
        self.set_draw_color(150, 160, 170)
        self.set_line_width(0.2)

    # -- text helpers -------------------------------------------------------
    def t(self, s: str) -> str:
        if self.unicode_ok:
            return s
        for a, b in _LATIN1_FALLBACK.items():
            s = s.replace(a, b)
        return s.encode("latin-1", "replace").decode("latin-1")

    def font(self, style: str = "", size: float = 10) -> None:
        self.set_font(self.family, style, size)

    # -- running header / footer --------------------------------------------
    def header(self) -> None:
        self.font("", 8)
        self.set_text_color(90, 90, 90)
        self.set_xy(self.l_margin, 10)
        self.cell(0, 5, self.t(HEADER_TEXT), align="L")
        self.set_xy(self.l_margin, 10)
        self.cell(0, 5, self.t("Nordlicht Energietechnik GmbH"), align="R")
        self.set_draw_color(*BLUE)
        self.line(self.l_margin, 16, self.w - self.r_margin, 16)
        self.set_draw_color(150, 160, 170)
        self.set_text_color(0, 0, 0)
        self.set_xy(self.l_margin, self.t_margin)

    def footer(self) -> None:
        self.set_y(-14)
        self.set_draw_color(*BLUE)
        self.line(self.l_margin, self.get_y() - 1, self.w - self.r_margin, self.get_y() - 1)
        self.set_draw_color(150, 160, 170)
        self.font("", 8)
        self.set_text_color(90, 90, 90)
        y = self.get_y()
        self.cell(0, 5, self.t(DOC_NO), align="L")
        self.set_xy(self.l_margin, y)
        self.cell(0, 5, f"Seite {self.page_no()} von {{nb}}", align="R")
        self.set_text_color(0, 0, 0)

    # -- structure ------------------------------------------------------------
    def h1(self, number: str, title: str, new_page: bool = True) -> None:
        if new_page:
            if self.get_y() > self.t_margin + 1:  # current page already has content
                self.add_page()
        elif self.get_y() > self.h - 70:
            self.add_page()
        else:
            self.ln(4)
        text = self.t(f"{number} {title}")
        self.start_section(text, level=0)
        self.font("B", 15)
        self.set_text_color(*BLUE)
        self.multi_cell(0, 8, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_text_color(0, 0, 0)
        self.ln(2)

    def h2(self, number: str, title: str, min_space: float = 55) -> None:
        """Second-level heading; starts a new page if less than min_space mm remain."""
        if self.get_y() > self.h - min_space:
            self.add_page()
        else:
            self.ln(2.5)
        text = self.t(f"{number} {title}")
        self.start_section(text, level=1)
        self.font("B", 11.5)
        self.set_text_color(*BLUE)
        self.multi_cell(0, 6.5, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_text_color(0, 0, 0)
        self.ln(1)

    def para(self, text: str, size: float = 10) -> None:
        self.font("", size)
        self.multi_cell(0, 5, self.t(text), align="J", markdown=True,
                        new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(1.5)

    def bullets(self, items: list[str], numbered: bool = False) -> None:
        self.font("", 10)
        for i, item in enumerate(items, 1):
            self.set_x(self.l_margin + 3)
            mark = f"{i}." if numbered else "•"
            self.cell(7, 5, self.t(mark))
            self.multi_cell(0, 5, self.t(item), align="L", markdown=True,
                            new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            self.ln(0.6)
        self.ln(1.2)

    def notice(self, kind: str, text: str) -> None:
        colors = {
            "GEFAHR": (250, 215, 210),
            "WARNUNG": (253, 232, 200),
            "VORSICHT": (255, 245, 200),
            "HINWEIS": LIGHT_BLUE,
        }
        self.set_fill_color(*colors.get(kind, LIGHT_BLUE))
        self.font("", 9.5)
        self.multi_cell(0, 5, self.t(f"**{kind}**  {text}"), border=1, fill=True,
                        align="L", markdown=True, padding=2,
                        new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(2.5)

    def data_table(self, rows: list[tuple[str, ...]], col_widths: tuple[float, ...],
                   size: float = 8.5, align: tuple[str, ...] | None = None,
                   group_rows: bool = False) -> None:
        """Header row + data rows. With group_rows, a 1-tuple row is a full-width group title."""
        self.font("", size)
        self.set_fill_color(*GREY_ROW)  # alternate-row fill follows the current fill colour
        heading = FontFace(emphasis="BOLD", fill_color=LIGHT_BLUE, color=(0, 40, 80))
        group = FontFace(emphasis="BOLD", fill_color=(232, 236, 240))
        with self.table(col_widths=col_widths, width=sum(col_widths),
                        text_align=align or "LEFT", headings_style=heading,
                        line_height=size * 0.48, padding=(0.9, 1.5),
                        cell_fill_color=GREY_ROW, cell_fill_mode="ROWS",
                        v_align="TOP") as table:
            for r in rows:
                row = table.row()
                if group_rows and len(r) == 1:
                    row.cell(self.t(r[0]), colspan=len(col_widths), style=group, align="L")
                    continue
                if group_rows and len(r) == 2:  # same value for every model
                    row.cell(self.t(r[0]))
                    row.cell(self.t(r[1]), colspan=len(col_widths) - 1, align="C")
                    continue
                for c in r:
                    row.cell(self.t(c))
        self.ln(3)


def _render_toc(pdf: ManualPDF, outline: list) -> None:
    pdf.set_xy(pdf.l_margin, pdf.t_margin)
    pdf.font("B", 15)
    pdf.set_text_color(*BLUE)
    pdf.cell(0, 9, "Inhaltsverzeichnis", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(0, 0, 0)
    pdf.ln(3)
    for sec in outline:
        if sec.page_number < 3:  # cover and the TOC itself
            continue
        level = sec.level
        pdf.font("B" if level == 0 else "", 10 if level == 0 else 9.5)
        indent = 0 if level == 0 else 8
        if level == 0:
            pdf.ln(1.2)
        link = pdf.add_link(page=sec.page_number)
        pdf.set_x(pdf.l_margin + indent)
        width = pdf.w - pdf.l_margin - pdf.r_margin - indent - 12
        name = sec.name
        dots_w = width - pdf.get_string_width(name) - 2
        dots = "." * max(0, int(dots_w / max(pdf.get_string_width("."), 0.1)))
        pdf.cell(width, 4.6, f"{name} {dots}", link=link)
        pdf.cell(12, 4.6, str(sec.page_number), align="R", link=link,
                 new_x=XPos.LMARGIN, new_y=YPos.NEXT)


# ---------------------------------------------------------------------------
# Content
# ---------------------------------------------------------------------------

def _cover(pdf: ManualPDF) -> None:
    pdf.add_page()
    pdf.start_section("Titelseite", level=0)
    pdf.ln(28)
    pdf.font("B", 12)
    pdf.set_text_color(*BLUE)
    pdf.cell(0, 8, pdf.t("Nordlicht Energietechnik GmbH"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(6)
    pdf.font("B", 30)
    pdf.cell(0, 16, "NX-Hybrid 6 / 8 / 10", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.font("", 17)
    pdf.set_text_color(40, 40, 40)
    pdf.multi_cell(0, 9, pdf.t("Dreiphasiger Hybrid-Wechselrichter für Hochvolt-Batteriespeicher"),
                   align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(4)
    pdf.set_fill_color(*BLUE)
    pdf.rect(pdf.l_margin, pdf.get_y(), 60, 1.6, style="F")
    pdf.ln(10)
    pdf.font("B", 20)
    pdf.set_text_color(0, 0, 0)
    pdf.cell(0, 11, pdf.t("Installations- und Servicehandbuch"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.font("", 11)
    pdf.ln(2)
    pdf.multi_cell(0, 6, pdf.t(
        "Gültig für die Gerätetypen NX-H6-3P, NX-H8-3P und NX-H10-3P ab Firmware-Version 2.3.0\n"
        "Zielgruppe: Elektrofachkräfte und Servicetechniker"),
        align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(70)
    pdf.font("", 9)
    pdf.set_text_color(70, 70, 70)
    pdf.multi_cell(0, 4.8, pdf.t(
        "Nordlicht Energietechnik GmbH · Fördeweg 7 · 24999 Nordhafen · Deutschland\n"
        "Service-Hotline: +49 4999 123 456-0 (Mo–Fr 7:30–17:00 Uhr) · service@nordlicht-energietechnik.example\n"
        f"{DOC_NO}\n"
        "Originalbetriebsanleitung. Technische Änderungen und Irrtümer vorbehalten.\n"
        "Fiktives Beispieldokument der NikDesk-Beispielbibliothek – Hersteller und Produkt sind frei erfunden."),
        align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(0, 0, 0)


def _chapter_1_2(pdf: ManualPDF) -> None:
    pdf.h1("1", "Zu diesem Handbuch")
    pdf.h2("1.1", "Geltungsbereich")
    pdf.para(
        "Dieses Handbuch beschreibt Montage, elektrischen Anschluss, Inbetriebnahme, Fehlerbehebung "
        "und Wartung der Hybrid-Wechselrichter **NX-Hybrid 6**, **NX-Hybrid 8** und **NX-Hybrid 10** "
        "(im Folgenden „Wechselrichter“ oder „Gerät“). Die Geräte unterscheiden sich nur in der "
        "Nennleistung; wo Werte abweichen, sind sie für jeden Gerätetyp angegeben. Bewahren Sie das "
        "Handbuch jederzeit zugänglich am Installationsort auf.")
    pdf.h2("1.2", "Zielgruppe")
    pdf.para(
        "Die in diesem Handbuch beschriebenen Tätigkeiten dürfen nur von Elektrofachkräften ausgeführt "
        "werden, die für Arbeiten an PV-Anlagen und Batteriespeichern qualifiziert sind und die "
        "geltenden Normen und Vorschriften (z. B. DIN VDE 0100, VDE-AR-N 4105) kennen. Die Bedienung "
        "über das Display ist auch für eingewiesene Betreiber zulässig.")
    pdf.h2("1.3", "Darstellung von Warnhinweisen")
    pdf.data_table([
        ("Signalwort", "Bedeutung"),
        ("GEFAHR", "Unmittelbar gefährliche Situation, die zu Tod oder schweren Verletzungen führt."),
        ("WARNUNG", "Gefährliche Situation, die zu Tod oder schweren Verletzungen führen kann."),
        ("VORSICHT", "Situation, die zu leichten Verletzungen oder Sachschäden führen kann."),
        ("HINWEIS", "Information für einen störungsfreien Betrieb, keine Gefährdung von Personen."),
    ], col_widths=(30, 144), size=9)

    pdf.h1("2", "Sicherheitshinweise", new_page=False)
    pdf.h2("2.1", "Bestimmungsgemäße Verwendung")
    pdf.para(
        "Der NX-Hybrid wandelt den Gleichstrom eines PV-Generators in netzkonformen Drehstrom um, "
        "lädt und entlädt einen angeschlossenen Hochvolt-Lithium-Batteriespeicher (150–600 V DC) und "
        "versorgt bei Netzausfall die am Notstromausgang (BACKUP) angeschlossenen Verbraucher. Der "
        "Wechselrichter ist für den stationären Betrieb in Innenräumen und geschützten Außenbereichen "
        "vorgesehen. Der Betrieb mit Batterien, die nicht in der Kompatibilitätsliste von Nordlicht "
        "aufgeführt sind, ist nicht zulässig.")
    pdf.h2("2.2", "Grundlegende Sicherheitshinweise")
    pdf.notice("GEFAHR",
        "Lebensgefahr durch Stromschlag! PV-Module erzeugen bei Lichteinfall eine hohe Gleichspannung "
        "(bis 1000 V). Vor allen Arbeiten am Gerät AC-Leitungsschutzschalter, DC-Lasttrennschalter und "
        "Batterie-Hauptschalter ausschalten und gegen Wiedereinschalten sichern. Spannungsfreiheit "
        "allpolig feststellen.")
    pdf.notice("WARNUNG",
        "Im Gerät befinden sich Kondensatoren, die auch nach dem Freischalten noch gefährliche "
        "Spannung führen. Nach dem Freischalten **mindestens 5 Minuten warten**, bevor der Gehäusedeckel "
        "geöffnet wird.")
    pdf.bullets([
        "DC-Steckverbinder niemals unter Last trennen. Zuerst den DC-Lasttrennschalter auf „OFF“ stellen.",
        "Das Gehäuse kann im Betrieb heißer als 70 °C werden. Nicht berühren; Kühlrippen nicht abdecken.",
        "Keine Veränderungen am Gerät vornehmen. Nur Originalzubehör und freigegebene Ersatzteile verwenden.",
        "Persönliche Schutzausrüstung tragen: isolierende Handschuhe, Schutzbrille, Sicherheitsschuhe.",
        "Das Gerät nicht in explosionsgefährdeten Bereichen oder in Räumen mit Ammoniak-Atmosphäre "
        "(z. B. Stallungen) montieren.",
    ])
    pdf.h2("2.3", "Symbole auf dem Typenschild")
    pdf.para(
        "Das Typenschild befindet sich auf der rechten Gehäuseseite. Es enthält Gerätetyp, "
        "Seriennummer (Format NXH-JJWW-NNNNN), Herstellungsdatum, die elektrischen Kenndaten sowie "
        "die Symbole für Schutzklasse I, „Warnung vor elektrischer Spannung“, „Entladezeit 5 min“, "
        "„Heiße Oberfläche“ und „Dokumentation beachten“. Das Typenschild darf nicht entfernt werden.")


def _chapter_3_4(pdf: ManualPDF) -> None:
    pdf.h1("3", "Lieferumfang", new_page=False)
    pdf.para("Prüfen Sie die Lieferung auf Vollständigkeit und äußerlich sichtbare Transportschäden. "
             "Reklamieren Sie Beschädigungen sofort beim Spediteur.")
    pdf.data_table([
        ("Pos.", "Bezeichnung", "Menge"),
        ("A", "Wechselrichter NX-Hybrid 6, 8 oder 10", "1"),
        ("B", "Wandhalterung (Edelstahl) mit Sicherungsschraube M5", "1"),
        ("C", "Dübel 10 × 60 mm und Holzschrauben 8 × 70 mm", "je 4"),
        ("D", "PV-Steckverbinder (Paare, Buchse + Stecker)", "4"),
        ("E", "Batterie-Steckverbinder HV+ / HV− (orange codiert)", "1 Satz"),
        ("F", "AC-Stecker 5-polig (L1, L2, L3, N, PE) und BACKUP-Stecker 5-polig", "je 1"),
        ("G", "Kommunikationsstecker 10-polig (X5) und RJ45-Kabelverschraubung", "1"),
        ("H", "Energiezähler NM-3P mit 3 Stromwandlern (nur Set-Variante „-SM“)", "1"),
        ("I", "Kurzanleitung und Prüfprotokoll", "1"),
    ], col_widths=(14, 136, 24), size=9, align=("CENTER", "LEFT", "CENTER"))

    pdf.h1("4", "Montage", new_page=False)
    pdf.h2("4.1", "Anforderungen an den Montageort")
    pdf.bullets([
        "Umgebungstemperatur im Betrieb: **−25 °C bis +60 °C**. Oberhalb von 45 °C reduziert das Gerät "
        "die Ausgangsleistung (Derating). Optimaler Bereich: 0 °C bis 40 °C.",
        "Relative Luftfeuchte 0–100 % (kondensierend), Aufstellhöhe bis 3000 m über NN ohne Derating.",
        "Keine direkte Sonneneinstrahlung, kein direkter Regen und Schnee; bei Außenmontage ein Vordach vorsehen.",
        "Tragfähige, nicht brennbare Wand (z. B. Beton, Mauerwerk). Die Wand muss mindestens das "
        "Vierfache des Gerätegewichts tragen. Keine Montage auf Holzständerwänden ohne Brandschutzplatte.",
        "Senkrechte Montage; zulässige Neigung nach hinten maximal 15°. Niemals liegend oder überkopf montieren.",
        "Montagehöhe: Display etwa in Augenhöhe; die Geräteunterkante muss mindestens **500 mm** über dem "
        "Boden liegen, bei Außenmontage in Überschwemmungsgebieten höher.",
    ])
    pdf.h2("4.2", "Mindestabstände")
    pdf.para("Halten Sie die folgenden Mindestabstände ein, damit die Wärme über die Kühlrippen abgeführt "
             "werden kann und der Anschlussbereich für Wartungsarbeiten zugänglich bleibt:")
    pdf.data_table([
        ("Richtung", "Mindestabstand", "Bemerkung"),
        ("Oben (zur Decke)", "300 mm", "Warmluftaustritt, kein Wärmestau unter der Decke"),
        ("Unten (zum Boden)", "500 mm", "Kabeleinführung, Biegeradien der Leitungen"),
        ("Seitlich (zu Wänden)", "300 mm", "Lüfter des NX-Hybrid 10 saugt seitlich an"),
        ("Vorne", "500 mm", "Bedien- und Servicebereich"),
        ("Zwischen zwei Geräten (nebeneinander)", "300 mm", "Geräte nicht übereinander montieren"),
        ("Zur Batterie (seitlich)", "200 mm", "Batterie nicht direkt unter dem Wechselrichter"),
    ], col_widths=(62, 32, 80), size=9, align=("LEFT", "CENTER", "LEFT"))
    pdf.notice("HINWEIS",
        "In geschlossenen Technikräumen muss die Verlustwärme abgeführt werden (bis zu 250 W beim "
        "NX-Hybrid 10 unter Volllast). Sorgen Sie für ausreichende Raumbelüftung.")
    pdf.h2("4.3", "Wandmontage")
    pdf.bullets([
        "Wandhalterung waagerecht ausrichten (Wasserwaage) und die vier Bohrlöcher anzeichnen.",
        "Löcher mit Ø 10 mm, 70 mm tief bohren, Dübel einsetzen und Wandhalterung mit den Schrauben "
        "8 × 70 mm befestigen.",
        "Wechselrichter zu zweit anheben (Gewicht bis 29 kg) und in die Wandhalterung einhängen.",
        "Gerät mit der Sicherungsschraube M5 an der Wandhalterung sichern (Anzugsdrehmoment 2,5 Nm).",
    ], numbered=True)


def _chapter_5(pdf: ManualPDF) -> None:
    pdf.h1("5", "Elektrischer Anschluss")
    pdf.h2("5.1", "Übersicht Anschlussbereich")
    pdf.para(
        "Alle Anschlüsse befinden sich an der Geräteunterseite (von links nach rechts): "
        "PV-Eingänge MPPT 1 und MPPT 2 (PV1+/PV1−, PV2+/PV2−), DC-Lasttrennschalter, "
        "Batterieanschluss BAT+/BAT−, Kommunikationsbereich (X5, LAN, CAN-BMS), AC-Netzanschluss GRID "
        "und Notstromausgang BACKUP sowie die zusätzliche Erdungsschraube (PE, M6). "
        "Schließen Sie die Leitungen in der Reihenfolge PE → AC → Batterie → PV → Kommunikation an.")
    pdf.h2("5.2", "AC-Anschluss (GRID)")
    pdf.para(
        "Der Wechselrichter wird dreiphasig an das 400-V-Niederspannungsnetz (3/N/PE, 230/400 V, 50 Hz) "
        "angeschlossen. Jeder Wechselrichter benötigt einen eigenen Leitungsschutzschalter; zwischen "
        "Wechselrichter und Leitungsschutzschalter dürfen keine Verbraucher angeschlossen werden.")
    pdf.data_table([
        ("Kenngröße", "NX-Hybrid 6", "NX-Hybrid 8", "NX-Hybrid 10"),
        ("Leitungsschutzschalter (empfohlen)", "B16", "B20", "B25"),
        ("Leitungsquerschnitt Cu (min. – max.)", "2,5–10 mm²", "4–10 mm²", "4–10 mm²"),
        ("Empf. Querschnitt bis 30 m Leitungslänge", "4 mm²", "6 mm²", "6 mm²"),
        ("Außendurchmesser AC-Leitung", "10–21 mm", "10–21 mm", "10–21 mm"),
        ("Abisolierlänge Adern", "12 mm", "12 mm", "12 mm"),
    ], col_widths=(71, 34, 34, 35), size=9, align=("LEFT", "CENTER", "CENTER", "CENTER"))
    pdf.para("Der Spannungsfall auf der AC-Leitung darf bei Nennleistung 1 % nicht überschreiten. Bei "
             "Leitungslängen über 30 m ist der Querschnitt entsprechend zu erhöhen.")
    pdf.h2("5.3", "Fehlerstrom-Schutzeinrichtung (RCD)")
    pdf.para(
        "Der NX-Hybrid besitzt eine integrierte allstromsensitive Fehlerstrom-Überwachungseinheit "
        "(RCMU). Ein externer Fehlerstrom-Schutzschalter vom Typ B ist daher **nicht erforderlich**. "
        "Schreiben örtliche Vorschriften oder der Netzbetreiber eine Fehlerstrom-Schutzeinrichtung "
        "vor, verwenden Sie einen Fehlerstrom-Schutzschalter **Typ A** mit einem "
        "Bemessungsfehlerstrom von **mindestens 100 mA** je Wechselrichter (NX-Hybrid 6/8/10).")
    pdf.notice("WARNUNG",
        "Der Notstromausgang BACKUP ist im Inselbetrieb vom Netz getrennt. Die dort angeschlossenen "
        "Stromkreise müssen über einen eigenen Fehlerstrom-Schutzschalter Typ A mit 30 mA "
        "Bemessungsfehlerstrom geschützt werden.")
    pdf.h2("5.4", "DC-Anschluss (PV-Generator)")
    pdf.bullets([
        "Maximale DC-Eingangsspannung: **1000 V**. Die Leerlaufspannung des Strings bei der tiefsten "
        "zu erwartenden Modultemperatur (−10 °C) darf diesen Wert nie überschreiten.",
        "Pro MPP-Tracker ist ein String (MPPT 1) bzw. beim NX-Hybrid 10 an MPPT 2 bis zu zwei parallele "
        "Strings zulässig. Beide Strings an MPPT 2 müssen identisch aufgebaut sein.",
        "Leitungsquerschnitt PV: 4 mm² oder 6 mm² Solarleitung (H1Z2Z2-K), Außendurchmesser 5,5–8 mm.",
        "Vor dem Anschluss die Polarität jedes Strings mit einem geeigneten Messgerät prüfen. "
        "Verpolte Strings können das Gerät beschädigen.",
        "Isolationswiderstand der Strings gegen Erde vor der Inbetriebnahme messen (siehe Fehlercode E050).",
    ])
    pdf.h2("5.5", "Batterieanschluss")
    pdf.para(
        "Es dürfen nur Hochvolt-Batteriespeicher mit einer Betriebsspannung von 150–600 V DC "
        "angeschlossen werden, die in der aktuellen Kompatibilitätsliste aufgeführt sind (z. B. "
        "Nordlicht NB-HV 5,1 bis 25,6 kWh). Der maximale Lade- und Entladestrom beträgt 25 A. "
        "Verwenden Sie Leitungen mit 6 mm² (bis 5 m) bzw. 10 mm² (bis 10 m) Querschnitt und die "
        "orange codierten Steckverbinder aus dem Lieferumfang.")
    pdf.bullets([
        "Batterie-Hauptschalter und DC-Schalter der Batterie ausschalten.",
        "BAT+ und BAT− anschließen, Steckverbinder hörbar einrasten lassen.",
        "BMS-Kommunikationsleitung (CAN, RJ45, Cat 5e oder besser) an Buchse „BMS“ anschließen. "
        "Der CAN-Bus muss an beiden Enden mit 120 Ω abgeschlossen sein; im Wechselrichter per "
        "DIP-Schalter S2, Position 2 („CAN-TERM“) einschalten.",
    ], numbered=True)
    pdf.h2("5.6", "Anzugsdrehmomente")
    pdf.data_table([
        ("Verbindung", "Schlüssel / Größe", "Anzugsdrehmoment"),
        ("AC-Stecker GRID und BACKUP, Aderklemmen", "Schlitz 0,6 × 3,5 mm", "1,2 Nm"),
        ("AC-Stecker, Kabelverschraubung M25", "SW 33", "7,5 Nm"),
        ("Zusätzliche Erdungsschraube PE", "M6, Torx T30", "5,0 Nm"),
        ("Gehäusedeckel Anschlussbereich (6 Schrauben)", "M4, Torx T20", "2,0 Nm"),
        ("Sicherungsschraube Wandhalterung", "M5, Torx T25", "2,5 Nm"),
        ("Kabelverschraubung Kommunikation M20", "SW 24", "4,0 Nm"),
        ("Kommunikationsstecker X5, Federzugklemmen", "–", "werkzeuglos"),
    ], col_widths=(80, 48, 46), size=9, align=("LEFT", "CENTER", "CENTER"))
    pdf.h2("5.7", "Erdung und Überspannungsschutz")
    pdf.para(
        "Verbinden Sie zusätzlich zum PE-Leiter im AC-Stecker die Erdungsschraube am Gehäuse mit der "
        "Potentialausgleichsschiene (Querschnitt mindestens 10 mm² Cu bzw. 16 mm² Al). Der "
        "Wechselrichter enthält auf der DC-Seite Überspannungsableiter Typ II, auf der AC-Seite Typ III. "
        "Bei Gebäuden mit äußerem Blitzschutz sind zusätzliche Überspannungsschutzgeräte vorzusehen.")


def _chapter_6(pdf: ManualPDF) -> None:
    pdf.h1("6", "Kommunikation")
    pdf.h2("6.1", "Schnittstellen")
    pdf.data_table([
        ("Schnittstelle", "Anschluss", "Verwendung"),
        ("RS485 (Modbus RTU)", "X5, Klemmen 1–3", "Anbindung an Energiemanagementsystem / Datenlogger"),
        ("RS485 Zähler", "X5, Klemmen 4–5", "Energiezähler NM-3P am Netzanschlusspunkt"),
        ("Digitaleingänge DI1–DI4", "X5, Klemmen 6–9", "Rundsteuerempfänger, externe Abschaltung"),
        ("Relaisausgang", "X5, Klemme 10 + COM", "Lastansteuerung, z. B. Wärmepumpe (SG-Ready)"),
        ("CAN", "RJ45 „BMS“", "Kommunikation mit dem Batteriemanagementsystem"),
        ("Ethernet", "RJ45 „LAN“", "Modbus TCP (Port 502), Portal, Firmware-Update"),
        ("WLAN", "intern, 2,4 GHz", "Inbetriebnahme mit der App „Nordlicht Service“"),
    ], col_widths=(44, 42, 88), size=9)
    pdf.h2("6.2", "RS485 / Modbus RTU")
    pdf.para("Die RS485-Schnittstelle an X5 arbeitet als Modbus-RTU-Slave. Werkseinstellungen:")
    pdf.data_table([
        ("Parameter", "Werkseinstellung", "Einstellbereich"),
        ("Modbus-Adresse (Slave-ID)", "1", "1–247"),
        ("Baudrate", "9600 Baud", "9600, 19200, 38400, 115200 Baud"),
        ("Datenformat", "8 Datenbits, keine Parität, 1 Stoppbit (8N1)", "8N1, 8E1, 8O1"),
        ("Abschlusswiderstand", "aus", "120 Ω per DIP-Schalter S2, Position 1"),
        ("Antwort-Timeout Master (empfohlen)", "≥ 500 ms", "–"),
    ], col_widths=(58, 64, 52), size=9)
    pdf.para(
        "Klemmenbelegung X5: **Klemme 1 = RS485 A (D+)**, **Klemme 2 = RS485 B (D−)**, "
        "**Klemme 3 = GND**. Verwenden Sie eine paarweise verdrillte, geschirmte Leitung (z. B. "
        "LiYCY 2 × 2 × 0,5 mm²); Schirm einseitig am Master auflegen. Maximale Buslänge 1000 m, "
        "maximal 32 Teilnehmer. Der Abschlusswiderstand ist nur am letzten Gerät der Buslinie "
        "einzuschalten. Die Modbus-Adresse und Baudrate können im Display-Menü "
        "„Einstellungen → Kommunikation → RS485“ oder über die Register 40009 und 40011 geändert werden.")
    pdf.h2("6.3", "Modbus-Registertabelle", min_space=175)
    pdf.para(
        "Eingangsregister (3xxxx) mit Funktionscode 0x04 lesen, Halteregister (4xxxx) mit 0x03 lesen "
        "und mit 0x06 bzw. 0x10 schreiben. Die Spalte „Adresse (hex)“ gibt die Protokolladresse an "
        "(Registernummer minus 30001 bzw. 40001). 32-Bit-Werte: High-Word zuerst (Big Endian).", size=9.5)
    pdf.data_table([
        ("Register", "Adresse (hex)", "Bezeichnung", "Typ", "Einheit / Skalierung", "Zugriff"),
        ("30001", "0x0000", "Seriennummer (ASCII, 8 Register)", "STR16", "–", "R"),
        ("30009", "0x0008", "Firmware-Version Kommunikationsprozessor", "U32", "z. B. 0x00020402 = 2.4.2", "R"),
        ("30051", "0x0032", "Gerätestatus (1 = Standby, 2 = Einspeisung, 3 = Fehler, 4 = Update)", "U16", "–", "R"),
        ("30053", "0x0034", "Aktiver Fehler-/Warncode (numerisch, 50 = E050)", "U16", "–", "R"),
        ("30201", "0x00C8", "PV-Spannung MPPT 1", "U16", "0,1 V", "R"),
        ("30203", "0x00CA", "PV-Strom MPPT 1", "U16", "0,01 A", "R"),
        ("30529", "0x0210", "Gesamtertrag AC", "U32", "Wh", "R"),
        ("30775", "0x0306", "AC-Wirkleistung (Summe L1–L3)", "S32", "W", "R"),
        ("30777", "0x0308", "AC-Blindleistung (Summe L1–L3)", "S32", "var", "R"),
        ("30783", "0x030E", "Netzfrequenz", "U16", "0,01 Hz", "R"),
        ("30845", "0x034C", "Batterie-Ladezustand (SOC)", "U16", "%", "R"),
        ("30847", "0x034E", "Batterieleistung (+ = Entladen, − = Laden)", "S32", "W", "R"),
        ("40009", "0x0008", "Modbus-Adresse", "U16", "1–247", "R/W"),
        ("40011", "0x000A", "Baudrate (0 = 9600, 1 = 19200, 2 = 38400, 3 = 115200)", "U16", "–", "R/W"),
        ("40069", "0x0044", "Einspeisebegrenzung (Wirkleistungsgrenze am Netzanschlusspunkt)", "U16",
         "0,1 % der AC-Nennleistung (700 = 70,0 %)", "R/W"),
        ("40071", "0x0046", "Einspeisebegrenzung aktivieren (0 = aus, 1 = ein)", "U16", "–", "R/W"),
        ("40075", "0x004A", "Minimaler Ladezustand (Entladegrenze SOC min.)", "U16", "%", "R/W"),
        ("40101", "0x0064", "Betriebsmodus (0 = Eigenverbrauch, 1 = Zeitsteuerung, 2 = Notstromreserve)", "U16", "–", "R/W"),
    ], col_widths=(17, 19, 64, 14, 45, 15), size=8,
        align=("CENTER", "CENTER", "LEFT", "CENTER", "LEFT", "CENTER"))
    pdf.notice("HINWEIS",
        "Schreibzugriffe auf Halteregister werden im nichtflüchtigen Speicher abgelegt. Register 40069 "
        "nicht zyklisch öfter als einmal pro Minute beschreiben; für eine dynamische Leistungsregelung "
        "steht Register 40085 (flüchtig) zur Verfügung.")
    pdf.h2("6.4", "Energiezähler NM-3P")
    pdf.para(
        "Für Einspeisebegrenzung, Nulleinspeisung und eigenverbrauchsoptimiertes Laden muss der "
        "Energiezähler NM-3P am Netzanschlusspunkt (hinter dem Zähler des Netzbetreibers) installiert "
        "sein. Die Stromwandler werden mit dem Pfeil in Richtung Netz → Haus auf L1, L2 und L3 gesetzt. "
        "Der Zähler kommuniziert über X5, Klemme 4 (A) und 5 (B) mit der festen Adresse 2 und 9600 Baud. "
        "Eine Verwechslung der Phasen führt zu falschen Leistungswerten (Warnung W-121).")


def _chapter_7(pdf: ManualPDF) -> None:
    pdf.h1("7", "Inbetriebnahme")
    pdf.h2("7.1", "Voraussetzungen")
    pdf.bullets([
        "Gerät ordnungsgemäß montiert, alle Leitungen angeschlossen, Gehäusedeckel verschraubt.",
        "Leerlaufspannung und Isolationswiderstand jedes Strings gemessen und dokumentiert.",
        "Batterie eingeschaltet und betriebsbereit (Batterie-LED grün).",
        "Smartphone mit der App „Nordlicht Service“ oder Bedienung über das Display.",
    ])
    pdf.h2("7.2", "Schrittfolge der Erstinbetriebnahme")
    pdf.bullets([
        "AC-Leitungsschutzschalter einschalten. Das Display startet, die LED blinkt grün.",
        "Batterie-Hauptschalter einschalten, anschließend den DC-Lasttrennschalter auf „ON“ stellen.",
        "Sprache wählen und Datum/Uhrzeit einstellen.",
        "Ländereinstellung (Netzrichtlinie) auswählen – siehe Abschnitt 7.3.",
        "Batterietyp wählen und BMS-Kommunikation prüfen (Menü „Batterie → Status“: „Verbunden“).",
        "Energiezähler prüfen: bei laufenden Verbrauchern muss Netzbezug positiv angezeigt werden.",
        "Einspeisebegrenzung einstellen, falls vom Netzbetreiber gefordert – siehe Abschnitt 7.4.",
        "Netzwerkverbindung (LAN/WLAN) einrichten und Gerät im Portal registrieren.",
        "Nach dem Selbsttest (ca. 60–300 s) schaltet das Gerät zu; die LED leuchtet dauerhaft grün.",
        "Inbetriebnahmeprotokoll ausfüllen und dem Betreiber übergeben.",
    ], numbered=True)
    pdf.h2("7.3", "Ländereinstellung")
    pdf.para(
        "Die Ländereinstellung legt Spannungs- und Frequenzgrenzen, Zuschaltbedingungen und die "
        "Blindleistungsregelung fest. Sie wird im Menü „Einstellungen → Netz → Ländereinstellung“ "
        "gewählt und kann nach den ersten 24 Betriebsstunden nur noch mit dem Installateur-Code "
        "geändert werden.")
    pdf.data_table([
        ("Land / Netzrichtlinie", "Menüeintrag", "Bemerkung"),
        ("Deutschland – VDE-AR-N 4105:2018", "DE-4105", "Werkseinstellung"),
        ("Österreich – TOR Erzeuger Typ A", "AT-TOR-A", "cos φ(P)-Kennlinie aktiv"),
        ("Schweiz – NA/EEA-CH 2020", "CH-NA-EEA", "–"),
        ("Niederlande – EN 50549-1", "NL-50549", "–"),
        ("Inselbetrieb ohne Netz", "OFFGRID", "nur mit Freigabe des Herstellers"),
    ], col_widths=(72, 38, 64), size=9)
    pdf.h2("7.4", "Einspeisebegrenzung einstellen")
    pdf.para(
        "Viele Netzbetreiber begrenzen die Einspeiseleistung am Netzanschlusspunkt (z. B. auf 60 % der "
        "PV-Generatorleistung oder auf 0 W bei Nulleinspeisung). Die Begrenzung erfordert den "
        "Energiezähler NM-3P (Abschnitt 6.4).")
    pdf.bullets([
        "Menü „Einstellungen → Energiemanagement → Einspeisebegrenzung“ öffnen (Installateur-Code erforderlich).",
        "„Einspeisebegrenzung“ auf „Ein“ stellen.",
        "Grenzwert in Prozent der AC-Nennleistung oder in Watt eingeben (0 W = Nulleinspeisung).",
        "Rückfallwert bei Ausfall der Zählerkommunikation festlegen (Werkseinstellung 0 W, "
        "Reaktionszeit 10 s).",
        "Mit „Speichern“ bestätigen. Alternativ über Modbus: Register 40069 (Grenzwert) und 40071 (Aktivierung).",
    ], numbered=True)


def _chapter_8_9(pdf: ManualPDF) -> None:
    pdf.h1("8", "Betriebsanzeigen", new_page=False)
    pdf.data_table([
        ("LED", "Zustand", "Bedeutung"),
        ("Grün", "leuchtet dauerhaft", "Einspeisebetrieb, Gerät arbeitet normal"),
        ("Grün", "blinkt langsam (1 Hz)", "Standby, Netzprüfung oder Selbsttest läuft"),
        ("Grün", "blitzt kurz (alle 3 s)", "Nachtbetrieb, Versorgung aus der Batterie"),
        ("Gelb", "leuchtet dauerhaft", "Warnung (W-Code) aktiv, Betrieb geht weiter"),
        ("Rot", "leuchtet dauerhaft", "Fehler (E- oder F-Code), Gerät vom Netz getrennt"),
        ("Rot/Grün", "blinken abwechselnd", "Firmware-Update läuft – Gerät nicht ausschalten"),
        ("Blau", "blinkt schnell", "WLAN-Hotspot für die Inbetriebnahme aktiv"),
    ], col_widths=(24, 48, 102), size=9)

    pdf.h1("9", "Fehlerbehebung")
    pdf.h2("9.1", "Fehlerklassen")
    pdf.para(
        "**E-Codes** sind Fehler des Wechselrichters oder des Netzes; das Gerät trennt sich vom Netz und "
        "schaltet nach Wegfall der Ursache automatisch wieder zu. **F-Codes** betreffen Batterie und "
        "Peripherie; der Batteriebetrieb wird gesperrt. **W-Codes** sind Warnungen, der Betrieb geht "
        "weiter. Der aktive Code wird im Display, in der App und in Register 30053 angezeigt; die letzten "
        "100 Ereignisse stehen im Ereignisprotokoll.", size=9.5)
    pdf.h2("9.2", "Fehlercodes")
    pdf.data_table([
        ("Code", "Bedeutung", "Mögliche Ursache", "Abhilfe"),
        ("E001", "Netzüberspannung", "Netzspannung > 253 V (10-min-Mittelwert) oder > 264,5 V",
         "Netzspannung an den AC-Klemmen messen; Querschnitt der AC-Leitung prüfen; bei dauerhaft "
         "hoher Netzspannung Netzbetreiber informieren."),
        ("E002", "Netzunterspannung", "Netzspannung < 184 V, Phase fehlt",
         "Leitungsschutzschalter und AC-Stecker prüfen; alle drei Phasen messen."),
        ("E003", "Netzfrequenz außerhalb des Bereichs", "Frequenz < 47,5 Hz oder > 51,5 Hz",
         "Ländereinstellung prüfen; Gerät schaltet nach Stabilisierung automatisch zu."),
        ("E004", "Netzausfall", "Keine Netzspannung, Inselnetz erkannt",
         "Netz und Vorsicherungen prüfen; Notstromausgang übernimmt, falls aktiviert."),
        ("E010", "DC-Überspannung PV", "Leerlaufspannung > 1000 V",
         "Sofort DC-Lasttrennschalter ausschalten! String-Auslegung prüfen, Modulanzahl reduzieren."),
        ("E030", "Fehlerstrom zu hoch", "Ableitstrom > 300 mA oder Sprung > 30 mA (RCMU)",
         "Leitungen und Steckverbinder auf Beschädigung und Feuchtigkeit prüfen; siehe E050."),
        ("E050", "Isolationsfehler PV", "Isolationswiderstand < 1 MΩ zwischen PV+ bzw. PV− und PE",
         "Isolationswiderstand jedes Strings einzeln mit einem Isolationsmessgerät (1000 V DC) prüfen; "
         "beschädigte Leitungen, feuchte Steckverbinder und Module suchen. Tritt oft morgens bei Tau auf."),
        ("E061", "Übertemperatur", "Kühlkörper > 90 °C, Wärmestau",
         "Mindestabstände und Belüftung prüfen; Kühlrippen reinigen; direkte Sonne vermeiden."),
        ("E070", "Netzrelais-Fehler", "Selbsttest der Netzrelais fehlgeschlagen",
         "Gerät neu starten; bei Wiederholung Service kontaktieren."),
        ("E081", "Interner Kommunikationsfehler", "Keine Verbindung zwischen Regel- und Kommunikationsprozessor",
         "Neustart (AC und DC aus, 5 min warten); Firmware aktualisieren."),
        ("F-012", "Kommunikationsfehler BMS", "CAN-Verbindung zur Batterie unterbrochen",
         "BMS-Kabel, Pinbelegung und 120-Ω-Abschluss (DIP S2, Pos. 2) prüfen; Batterie einschalten."),
        ("F-015", "Batterie-Überspannung", "Batteriespannung > 600 V oder Zellspannung zu hoch",
         "Batterie vom BMS prüfen lassen; Batterietyp in der Einstellung kontrollieren."),
        ("F-022", "Batterietemperatur außerhalb des Bereichs", "Batterie < 0 °C (Laden) oder > 50 °C",
         "Aufstellort der Batterie prüfen; Laden wird automatisch fortgesetzt."),
        ("W-101", "PV-String ohne Spannung", "DC-Schalter aus, Steckverbinder offen, Verschattung",
         "DC-Lasttrennschalter und Steckverbinder prüfen; Stringspannung messen."),
        ("W-103", "Batterie nicht bereit", "BMS meldet Standby / Aufwachvorgang der Batterie",
         "5 Minuten warten; Batterie-Hauptschalter prüfen; bei Wiederholung Firmware aktualisieren."),
        ("W-121", "Zählerwerte unplausibel", "Stromwandler vertauscht oder falsche Richtung",
         "Zuordnung L1–L3 und Pfeilrichtung der Stromwandler prüfen."),
        ("W-130", "Firmware-Update fehlgeschlagen", "Verbindung unterbrochen, Datei beschädigt",
         "Update wiederholen; USB-Stick FAT32-formatiert verwenden."),
    ], col_widths=(14, 41, 47, 72), size=8, align=("CENTER", "LEFT", "LEFT", "LEFT"))
    pdf.h2("9.3", "Neustart und Rücksetzen")
    pdf.para(
        "Neustart: AC-Leitungsschutzschalter und DC-Lasttrennschalter ausschalten, Batterie-Hauptschalter "
        "ausschalten, 5 Minuten warten und in umgekehrter Reihenfolge wieder einschalten. Das Rücksetzen "
        "auf Werkseinstellungen („Einstellungen → System → Werkseinstellungen“) löscht Ländereinstellung, "
        "Einspeisebegrenzung und Netzwerkeinstellungen; das Ereignisprotokoll bleibt erhalten.")


def _chapter_10(pdf: ManualPDF) -> None:
    pdf.h1("10", "Wartung", new_page=False)
    pdf.para("Der Wechselrichter ist weitgehend wartungsfrei. Führen Sie folgende Prüfungen regelmäßig durch:")
    pdf.data_table([
        ("Intervall", "Tätigkeit"),
        ("halbjährlich", "Sichtprüfung von Gehäuse, Leitungen und Kabelverschraubungen; Ereignisprotokoll prüfen"),
        ("jährlich", "Kühlrippen und Lüftergitter reinigen (trockener Pinsel, kein Wasserstrahl)"),
        ("jährlich", "Funktion des DC-Lasttrennschalters prüfen (5 × schalten)"),
        ("alle 2 Jahre", "Anzugsdrehmomente der AC-Klemmen und der Erdung prüfen (Tabelle 5.6)"),
        ("alle 4 Jahre", "Wiederholungsprüfung nach DIN VDE 0105-100, Isolationsmessung PV"),
        ("nach Bedarf", "Firmware-Update gemäß Servicemitteilungen"),
        ("nach 10 Jahren", "Lüfter des NX-Hybrid 10 austauschen (Ersatzteil NX-FAN-10)"),
    ], col_widths=(32, 142), size=9)
    pdf.h2("10.1", "Reinigung")
    pdf.para("Gehäuse nur mit einem feuchten Tuch reinigen. Keine Lösungsmittel, Scheuermittel oder "
             "Hochdruckreiniger verwenden. Vor der Reinigung der Kühlrippen das Gerät abkühlen lassen.")
    pdf.h2("10.2", "Firmware-Update")
    pdf.bullets([
        "Aktuelle Firmware aus dem Partnerportal herunterladen (Datei „NXH_FW_x.y.z.bin“).",
        "Datei in das Stammverzeichnis eines FAT32-formatierten USB-Sticks (max. 32 GB) kopieren.",
        "USB-Stick an die USB-Buchse im Kommunikationsbereich stecken.",
        "Menü „Einstellungen → System → Firmware-Update“ wählen. Das Update dauert etwa 10 Minuten; "
        "die LED blinkt abwechselnd rot und grün.",
        "Nach dem automatischen Neustart die Firmware-Version im Menü „Info“ prüfen.",
    ], numbered=True)
    pdf.para("Alternativ kann das Update online über die LAN-Verbindung und das Portal erfolgen. "
             "Während des Updates darf die AC-Versorgung nicht unterbrochen werden.")
    pdf.h2("10.3", "Außerbetriebnahme und Demontage")
    pdf.para(
        "Gerät über das Menü „Aus“ abschalten, AC-Leitungsschutzschalter, DC-Lasttrennschalter und "
        "Batterie-Hauptschalter ausschalten, 5 Minuten warten, Spannungsfreiheit feststellen und die "
        "Leitungen in umgekehrter Reihenfolge wie beim Anschluss abklemmen. Für Transport und "
        "Lagerung die Originalverpackung verwenden; Lagertemperatur −40 °C bis +70 °C.")
    pdf.h2("10.4", "Entsorgung")
    pdf.para("Das Gerät darf nicht mit dem Hausmüll entsorgt werden. Geben Sie es an einer Sammelstelle "
             "für Elektroaltgeräte ab oder senden Sie es an den Hersteller zurück.")


def _chapter_11(pdf: ManualPDF) -> None:
    pdf.h1("11", "Konformität und Kontakt", new_page=False)
    pdf.para(
        "Nordlicht Energietechnik GmbH erklärt, dass die Wechselrichter NX-Hybrid 6, 8 und 10 den "
        "grundlegenden Anforderungen der Niederspannungsrichtlinie 2014/35/EU, der EMV-Richtlinie "
        "2014/30/EU und der Funkanlagenrichtlinie 2014/53/EU entsprechen. Die vollständige "
        "Konformitätserklärung sowie Einheiten- und Komponentenzertifikate nach VDE-AR-N 4105 stehen im "
        "Partnerportal zum Download bereit.")
    pdf.para(
        "**Technischer Service:** +49 4999 123 456-0, service@nordlicht-energietechnik.example. "
        "Halten Sie für Serviceanfragen Gerätetyp, Seriennummer, Firmware-Version und den angezeigten "
        "Fehlercode bereit.")


def _chapter_12(pdf: ManualPDF) -> None:
    pdf.h1("12", "Technische Daten")
    rows: list[tuple[str, ...]] = [
        ("Kenngröße", "NX-Hybrid 6", "NX-Hybrid 8", "NX-Hybrid 10"),
        ("PV-Eingang (DC)",),
        ("Max. PV-Generatorleistung", "9000 Wp", "12000 Wp", "15000 Wp"),
        ("Max. DC-Eingangsspannung", "1000 V"),
        ("Startspannung", "180 V"),
        ("MPP-Spannungsbereich", "160–850 V", "200–850 V", "240–850 V"),
        ("Anzahl MPP-Tracker / Strings", "2 / 1+1", "2 / 1+1", "2 / 1+2"),
        ("Max. DC-Eingangsstrom je MPPT", "16 A / 16 A", "16 A / 16 A", "16 A / 26 A"),
        ("Max. Kurzschlussstrom je MPPT", "20 A / 20 A", "20 A / 20 A", "20 A / 32 A"),
        ("Batterie",),
        ("Batterietyp", "Lithium (LiFePO4), Hochvolt"),
        ("Batteriespannung", "150–600 V"),
        ("Max. Lade-/Entladestrom", "25 A"),
        ("Max. Lade-/Entladeleistung", "6000 W", "8000 W", "10000 W"),
        ("Kommunikation BMS", "CAN"),
        ("Netzanschluss (AC)",),
        ("AC-Nennleistung", "6000 W", "8000 W", "10000 W"),
        ("Max. AC-Scheinleistung", "6600 VA", "8800 VA", "11000 VA"),
        ("Nennspannung / Frequenz", "3/N/PE 230/400 V, 50 Hz"),
        ("AC-Nennstrom", "8,7 A", "11,6 A", "14,5 A"),
        ("Max. AC-Ausgangsstrom", "9,6 A", "12,8 A", "16,0 A"),
        ("Verschiebungsfaktor cos φ", "0,8 übererregt … 0,8 untererregt"),
        ("Notstromausgang BACKUP, max. Scheinleistung", "6000 VA", "8000 VA", "10000 VA"),
        ("Umschaltzeit Notstrom", "< 20 ms"),
        ("Wirkungsgrad",),
        ("Max. Wirkungsgrad", "97,6 %", "97,8 %", "98,0 %"),
        ("Europäischer Wirkungsgrad", "97,0 %", "97,2 %", "97,4 %"),
        ("Max. Batterie-Lade-/Entladewirkungsgrad", "96,5 %"),
        ("Allgemeine Daten",),
        ("Abmessungen (B × H × T)", "520 × 460 × 200 mm"),
        ("Gewicht", "27,5 kg", "27,5 kg", "29,0 kg"),
        ("Schutzart / Schutzklasse", "IP65 / I"),
        ("Betriebstemperaturbereich", "−25 … +60 °C"),
        ("Kühlung", "Konvektion", "Konvektion", "Lüfter, temperaturgesteuert"),
        ("Geräuschemission", "< 30 dB(A)", "< 30 dB(A)", "< 42 dB(A)"),
        ("Eigenverbrauch Nacht / Standby", "< 10 W", "< 10 W", "< 12 W"),
        ("Topologie", "transformatorlos"),
        ("Überspannungskategorie", "DC: II, AC: III"),
        ("Schnittstellen", "RS485, CAN, LAN, WLAN, USB"),
    ]
    pdf.data_table(rows, col_widths=(62, 37, 37, 38), size=8,
                   align=("LEFT", "CENTER", "CENTER", "CENTER"), group_rows=True)


def build(out_dir: Path) -> list[Path]:
    """Generate the sample manual PDF into out_dir; return the written file paths."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    pdf = ManualPDF()
    pdf.set_title(TITLE)
    pdf.set_subject("Installation, Inbetriebnahme, Fehlerbehebung und Wartung (fiktives Beispiel)")
    pdf.set_author("Nordlicht Energietechnik GmbH (fiktiv)")
    pdf.set_keywords("NX-Hybrid, Hybrid-Wechselrichter, Installation, Modbus, Fehlercodes, Technische Daten")
    pdf.set_creator("NikDesk sample library generator")
    pdf.set_lang("de-DE")
    pdf.set_creation_date(CREATION_DATE)
    pdf.set_display_mode(zoom="fullwidth")
    pdf.page_mode = PageMode.USE_OUTLINES  # open with the bookmarks panel

    _cover(pdf)
    pdf.add_page()
    pdf.start_section("Inhaltsverzeichnis", level=0)
    pdf.insert_toc_placeholder(_render_toc, pages=1)
    _chapter_1_2(pdf)
    _chapter_3_4(pdf)
    _chapter_5(pdf)
    _chapter_6(pdf)
    _chapter_7(pdf)
    _chapter_8_9(pdf)
    _chapter_10(pdf)
    _chapter_11(pdf)
    _chapter_12(pdf)

    out = out_dir / PDF_NAME
    pdf.output(str(out))
    return [out]


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent / "docs"
    for p in build(target):
        print(p)
