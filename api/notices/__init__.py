"""Official notices as PDF: Jinja2 templates of Typst markup, compiled with the Noto Serif SC font."""
