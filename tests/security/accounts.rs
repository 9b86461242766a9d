//! Placeholder: filled by the accounts part of the attack suite.
