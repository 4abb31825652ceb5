"""`python -m actm` runs the command line."""

from actm.cli.app import main

main()
