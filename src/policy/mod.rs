//! Plain data and pure rules: role settings, assignments, activations and the refusals that name
//! their rule. Nothing here knows about SQLite, the terminal or the current time; every rule
//! takes `now` as an argument.

pub mod activation;
pub mod alerts;
pub mod assignment;
pub mod change;
pub mod duration;
pub mod graph;
pub mod lifecycle;
pub mod model;
pub mod notification;
pub mod refusal;
pub mod request;
pub mod schedules;
pub mod settings;
pub mod text;

pub use refusal::{Refusal, Rule};
