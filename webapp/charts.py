"""Bar charts drawn on the server as SVG (templates/charts/bars.svg, autoescaped: labels may be what people
typed), shown with <img> under the strict CSP and served with a CSP of their own that allows nothing: only
presentation attributes (fill, stroke, font-size), no style. The layout's pieces, shared by every chart: the
palette, the plot's size, bars, ticks, legend entries, a nice step for the value axis, text XML can carry."""
import math
import re
from dataclasses import dataclass

TEMPLATE = "charts/bars.svg"

# Okabe–Ito: told apart with the common kinds of colour blindness.
PALETTE = ("#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#999999", "#000000")
WIDTH = 760
LEFT, RIGHT, TOP = 60, 20, 20
PLOT_HEIGHT = 220
LEGEND_COLUMNS = 3
LEGEND_ROW = 20
MAX_MONTH_LABELS = 12
# Characters XML 1.0 does not allow at all (escaping cannot help): dropped.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(text: str, limit: int | None = None) -> str:
    text = NOT_XML.sub("", str(text))
    if limit is not None and len(text) > limit:
        text = text[:limit - 1] + "…"
    return text


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    fill: str
    title: str


@dataclass
class Tick:
    position: float
    label: str


@dataclass
class LegendItem:
    x: float
    y: float
    fill: str
    label: str


def nice_step(top: int) -> int:
    """A step of 1, 2 or 5 times a power of ten giving about five gridlines up to `top`."""
    raw = max(top / 5, 1)
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if factor * power >= raw:
            return int(factor * power)
    return int(10 * power)  # pragma: no cover


def value_axis(top_value, bottom: float) -> tuple[int, list[Tick]]:
    """The value axis up to at least `top_value` (a whole number of nice steps) and its gridlines' ticks."""
    top = math.ceil(top_value)
    step = nice_step(top)
    scale_top = max(step * math.ceil(top / step), step)
    ticks = [Tick(bottom - PLOT_HEIGHT * value / scale_top, f"{value:,}".replace(",", "\u2009"))
             for value in range(0, scale_top + 1, step)]
    return scale_top, ticks


def response(context: dict):
    """The SVG as its own response: image/svg+xml with a CSP that allows nothing."""
    from flask import make_response, render_template

    svg = make_response(render_template(TEMPLATE, c=context))
    svg.mimetype = "image/svg+xml"
    svg.headers["Content-Security-Policy"] = "default-src 'none'"
    return svg
