"""`python -m clinic_client.cli`: the `clinic` command without its console script."""

from clinic_client.cli import main

main()
