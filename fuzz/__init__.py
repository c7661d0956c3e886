"""Generated and hostile inputs for the property tests and the fuzzer (the README's Guarantees section)."""
