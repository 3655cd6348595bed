"""One date format on every admin page: "3 Dec 2026" and "3 Dec 2026, 14:05".

Django's own en-GB formats mix "3 Dec 2026, 2:05 p.m." in lists with "03/12/2026" in short
forms; the newsroom reads one 24-hour style everywhere. Input formats are Django's en-GB ones
(not set here, so they fall through to the locale).
"""

DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y, H:i"
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
