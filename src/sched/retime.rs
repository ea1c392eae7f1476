//! Exact integer re-timing of a schedule whose array assignment and order on
//! each array are fixed.
