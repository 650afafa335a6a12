"""`import indexdesk.toolkit` in a fresh process: this module *is* `indexdesk.tools.toolkit`.

Swapping the entry in `sys.modules` (rather than re-exporting names) keeps one module object, so
`indexdesk.toolkit is indexdesk.tools.toolkit` and state set through either name is the same.
"""

import importlib
import sys

sys.modules[__name__] = importlib.import_module("indexdesk.tools.toolkit")
