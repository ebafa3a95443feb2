"""`make compat`: classify each change of a spec edit as breaking clients, breaking servers or compatible.

Modules: specmatic (runs the tool), diff (the changes), document (JSON pointers and $ref reachability),
rules (the classification, readable on its own), compare (puts them together), table, cli.
"""
