//! The parser's tests: the intents SPEC, the shared labelled set and hostile input, in one binary.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod dev_i18n;
mod dev_set;
mod languages;
mod properties;
mod robustness;
mod spec;
mod spec_writer;
