"""Cross-cutting parts of the web app: errors, logging, health, language, security, storage."""
