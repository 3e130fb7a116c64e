"""Official notices as PDF: Jinja2 templates of Typst markup, set in Noto Serif SC."""
