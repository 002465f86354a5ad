"""Renderers: reports as rich text, SARIF and GitHub annotations; rules as Markdown (JSON is each report's to_json)."""
