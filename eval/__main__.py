"""Entry point for `python -m eval`."""

import sys

from eval.run import main

sys.exit(main())
