"""`make compat`: classify each change of a spec edit as breaking clients, breaking servers or compatible.

Modules: specmatic (runs the tool), shown (what it is shown of a document), diff (the changes),
document (JSON pointers and $ref reachability), testable (what a flaw of a spec leaves untestable),
locate (the changes a finding is about), rules (the classification, readable on its own), compare
(puts them together), table, cli.
"""
