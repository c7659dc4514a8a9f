"""Entry point for `python -m eval` (accuracy), `python -m eval bench` (speed at scale), `python -m eval bench
--vector-stores faiss,milvus` (the two vector stores side by side) and `python -m eval bench --users 16` (chat users
at once against the served app)."""

import sys

if sys.argv[1:2] == ["bench"] and any(arg.split("=")[0] == "--vector-stores" for arg in sys.argv[2:]):
    from eval.vectorbench import main

    sys.exit(main(sys.argv[2:]))
if sys.argv[1:2] == ["bench"] and any(arg.split("=")[0] == "--users" for arg in sys.argv[2:]):
    from eval.users import main

    sys.exit(main(sys.argv[2:]))
if sys.argv[1:2] == ["bench"]:
    from eval.scale import main

    sys.exit(main(sys.argv[2:]))

from eval.run import main

sys.exit(main())
