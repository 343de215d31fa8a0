//! Input widgets for the console's forms.

pub mod choice;
pub mod form;
pub mod scroll;
pub mod text_field;

pub use choice::{Choice, DurationSlider, switch};
pub use form::{Field, Form, FormEvent, Input};
pub use scroll::Scroll;
pub use text_field::TextField;
