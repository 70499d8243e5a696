"""Between conversations: reminders to action owners without accounts (sending.py, the no-account
link pages in blueprint.py) and the next conversation in people's calendars (calendar.py)."""
