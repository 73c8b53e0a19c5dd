#!/usr/bin/env python
"""Django's command-line utility for ProjectCRM."""

import os
import sys


def main():
    if sys.version_info < (3, 12):  # noqa: UP036 - refuse clearly instead of failing on import
        sys.exit(f"ProjectCRM needs Python 3.12 or newer (Django 6); this is {sys.version.split()[0]}.")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "projectcrm.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
