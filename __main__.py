"""`python -m indexdesk`: the same command line as `indexdesk`."""

from indexdesk.agent.cli import main

raise SystemExit(main())
