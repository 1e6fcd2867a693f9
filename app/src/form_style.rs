//! How the staff console's forms look: one set of classes for every
//! function's page, so a field, its label and a button look the same on
//! all of them. (Tailwind finds the classes by reading this file.)

/// A text input, select or textarea.
pub const INPUT: &str = "rounded-lg border border-stone-300 bg-white px-3 py-2 text-sm font-normal";

/// A label wrapping its field, the caption above the input.
pub const LABEL: &str = "flex flex-col gap-1 text-sm font-medium text-stone-800";

/// A form's main button.
pub const BUTTON: &str =
    "rounded-lg bg-stone-900 px-4 py-2 text-sm font-medium text-white hover:bg-stone-700";
