"""The public pages: what readers, search engines and fact-check aggregators may open."""
