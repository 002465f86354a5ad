"""Renderers: turn reports, rules and runtime facts into text, JSON and Markdown."""
