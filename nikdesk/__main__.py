"""Allow ``python -m nikdesk``."""

import sys

from nikdesk.cli import main

sys.exit(main())
