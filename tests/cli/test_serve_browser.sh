#!/bin/bash
# test_serve_browser.sh — runs tests/browser/test_pages.sh (khabar serve's web
# page in headless chromium) under CTest; it skips (77) without chromium.
exec bash "${KH_SOURCE_DIR:?}/tests/browser/test_pages.sh"
