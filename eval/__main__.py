"""Entry point for `python -m eval` (accuracy) and `python -m eval bench` (speed at scale)."""

import sys

if sys.argv[1:2] == ["bench"]:
    from eval.scale import main

    sys.exit(main(sys.argv[2:]))

from eval.run import main

sys.exit(main())
