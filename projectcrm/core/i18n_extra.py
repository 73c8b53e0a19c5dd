"""Messages that Django 6.1 shows on our pages but its own zh_Hans/zh_Hant catalogues lack.

Marked here so `makemessages` puts them in our catalogues, which take precedence (LOCALE_PATHS).
"""

from django.utils.translation import gettext_noop

DJANGO_MESSAGES = [
    gettext_noop("- Select an option -"),
]
