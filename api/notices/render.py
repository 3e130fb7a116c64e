"""Official notices printed as PDF: Jinja2 templates of Typst markup, compiled by Typst.

Everything a notice needs arrives with pip: the `typst` wheel compiles the markup, the
`pylopdf-fonts-zh-cn` wheel carries Noto Serif SC (SIL Open Font License), and system fonts
are ignored, so a notice prints the same on a fresh machine as on the bureau's server.

Every value a template prints is escaped for Typst markup (each ASCII punctuation mark gets
its backslash), so a name or a reason can never turn into markup or code. The PDF carries no
creation date: the same case state prints the same bytes, hence the same SHA-256, and
producing a notice again attaches nothing new.
"""

from __future__ import annotations

import string
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from domain.notices import Occasion, zh_date

TEMPLATES = Path(__file__).parent / "templates"
FONT_FAMILY = "Noto Serif SC"
_PUNCTUATION = frozenset(string.punctuation)


class Raw(str):
    """Markup a template wrote itself, passed through unescaped."""


def escape(value: Any) -> str:
    """A value as Typst markup that prints it verbatim."""
    if value is None:
        return ""
    if isinstance(value, Raw):
        return value
    text = " ".join(str(value).split())  # no line breaks, tabs or control characters
    return "".join(f"\\{c}" if c in _PUNCTUATION else c for c in text if c.isprintable())


def typst_string(value: Any) -> Raw:
    """A value as a Typst string literal (for `#set document(title: ...)`)."""
    text = " ".join(str(value).split())
    return Raw('"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"')


def no_break(value: Any) -> Raw:
    """A value kept on one line (a date is never split between two lines)."""
    return Raw(f"#box[{escape(value)}]")


@lru_cache
def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=False,
        finalize=escape,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["tstr"] = typst_string
    env.filters["nobreak"] = no_break
    return env


def font_dirs() -> list[str]:
    from pylopdf_fonts_zh_cn import serif_path

    return [str(serif_path().parent)]


def markup(occasion: Occasion, number: str, case_id: str, case_number: str | None) -> str:
    """The notice's Typst source."""
    template = _environment().get_template(f"{occasion.kind.value}.typ")
    return template.render(
        n=occasion,
        c=occasion.context,
        number=number,
        issued=zh_date(occasion.issued_on),
        case_id=case_id,
        case_number=case_number,
        font=FONT_FAMILY,
    )


def render(occasion: Occasion, number: str, case_id: str, case_number: str | None) -> bytes:
    """The notice as a PDF."""
    import typst

    source = markup(occasion, number, case_id, case_number)
    compile_source: Any = typst.compile  # bytes are the source itself, a str a file's path
    pdf: bytes = compile_source(
        source.encode(), font_paths=font_dirs(), ignore_system_fonts=True, format="pdf"
    )
    return pdf
