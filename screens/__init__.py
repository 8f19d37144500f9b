"""What people read: every screen's text, built from the data services return.

Texts are Telegram's small HTML subset made in one place (screens/markup.py), where every
value is escaped; nothing here knows a messenger's API, so another front end can render the
same screens.
"""
