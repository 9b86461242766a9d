//! Placeholder: filled by the paths_and_import part of the attack suite.
