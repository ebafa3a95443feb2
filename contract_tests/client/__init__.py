"""Property tests: the generated client in generated/ against the contract in spec/openapi.yaml."""
