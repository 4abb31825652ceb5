"""`python -m actm` runs the command line."""

from actm.cli.main import main

main()
