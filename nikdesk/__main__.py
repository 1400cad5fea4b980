"""Allow ``python -m nikdesk``."""

import sys

from nikdesk.cli.main import main

sys.exit(main())
