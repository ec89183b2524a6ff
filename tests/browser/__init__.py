"""Helpers for the real-browser test (tests/test_browser.py): the app started as `make run` starts it,
and headless Chromium driven by Selenium."""
