"""The judging mock: the reference server, with every request it receives judged against the spec on the
client's side (`assistants-contract mock`), and faults on demand for a client's retries and timeouts."""
