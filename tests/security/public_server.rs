//! Placeholder: filled by the public_server part of the attack suite.
