"""The contract suite of the create-assistant (v1) API, its reference server and its checks."""
