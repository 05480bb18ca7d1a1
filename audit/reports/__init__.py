"""Audit reports: typed report data computed once, heatmaps, and the HTML and PDF renderers."""
