"""简报导出: registered charts as static files (PNG/SVG/PDF) and as briefing packs (PPTX, PDF, zip).

* ``static`` — one chart at a fixed size (16:9 slide, A4), rendered by Kaleido in Chromium
  with a CJK font; checks the machine can do it.
* ``source`` — the registry read outside Streamlit (same ``fetch`` contract as the pages),
  the catalogue of packable charts, links back to the live view.
* ``pack`` — the packs; ``python -m briefing`` builds them from the command line.

Nothing here imports Streamlit: the page, the CLI, the tests and the benchmark share it.
"""
