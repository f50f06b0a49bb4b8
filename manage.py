#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main() -> None:
    # The production settings unless told otherwise: a command run on a server by someone who
    # forgot DJANGO_SETTINGS_MODULE must not run with DEBUG and the development mailbox.
    # Development says so (`make run`, DJANGO_SETTINGS_MODULE=config.settings.dev).
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
