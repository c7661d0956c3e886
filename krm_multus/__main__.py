"""`python -m krm_multus`: the same as the `krm-multus` command."""

import sys

from krm_multus.cli import main

sys.exit(main())
