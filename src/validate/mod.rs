//! Validation rules: each small and named; they see the model plus a source map, never the layout.

pub mod basis;
pub mod precision;
