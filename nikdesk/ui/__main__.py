"""``python -m nikdesk.ui``: start the desktop app."""

from nikdesk.ui.app import main

raise SystemExit(main())
