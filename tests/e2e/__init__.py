"""Browser tests (Playwright and Debian's Chromium)."""
