//! Placeholder: filled by the input_bounds part of the attack suite.
