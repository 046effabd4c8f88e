//! abm-scim: a SCIM 2.0 service provider that emulates the Apple Business Manager directory.
//!
//! Layers, one direction: [`http`] (axum) → [`service`] (ABM rules) → [`store`] (one trait, a
//! PostgreSQL and a SQLite engine) → [`scim`] (pure protocol code); [`domain`] (the closed sets
//! and the time type of the records) sits below the store.

pub mod app;
pub mod clock;
pub mod config;
pub mod domain;
pub mod http;
pub mod logging;
pub mod metrics;
pub mod scim;
pub mod seeding;
pub mod service;
pub mod store;
#[cfg(feature = "testing")]
pub mod testing;

pub use app::Application;
