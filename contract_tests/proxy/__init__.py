"""The validating proxy: forwards each request unchanged to a real server and judges both directions with
the suite's rules, blaming the side that broke each (`assistants-contract proxy`)."""
