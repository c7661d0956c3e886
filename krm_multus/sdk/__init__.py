"""The KRM layer. Importing it first imports PyYAML and json, with stand-ins for the patterns a run
does not use (see lazy_patterns.py).

Why here and not in the package: a run (cli.main) imports the SDK only after it has turned the
cycle collector off, and collecting while PyYAML and json are imported cost 3.5 M instructions;
on a run the SDK comes before every module that imports yaml or json.
"""

from krm_multus.sdk.lazy_patterns import import_json, import_yaml

import_yaml()
import_json()
