"""Generated and hostile inputs for the property tests and the fuzzer (docs/guarantees.md)."""
