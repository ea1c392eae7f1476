//! Text for the Gantt charts, drawn glyph by glyph with ab_glyph. Each glyph
//! sits at its pen position plus its left side bearing, with kerning between
//! pairs, so that letters are evenly spaced at every size.

use ab_glyph::{point, Font, FontRef, PxScale, ScaleFont};
use plotters::coord::Shift;
use plotters::prelude::*;
use std::sync::OnceLock;

/// Horizontal placement of a text relative to its anchor point.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Align {
    Left,
    Center,
    Right,
}

/// Parses the embedded DejaVu Sans once per process.
fn font() -> Option<&'static FontRef<'static>> {
    static FONT: OnceLock<Option<FontRef<'static>>> = OnceLock::new();
    FONT.get_or_init(|| FontRef::try_from_slice(super::FONT_BYTES).ok()).as_ref()
}

/// Checks that the embedded font parses. Without it, the other functions
/// here measure 0 and draw nothing.
pub(super) fn font_loads() -> bool {
    font().is_some()
}

/// Measures the advance width of `text` in pixels at `size` pixels.
pub(super) fn text_width(text: &str, size: f32) -> f32 {
    let Some(font) = font() else { return 0.0 };
    let scaled = font.as_scaled(PxScale::from(size));
    let mut width = 0.0;
    let mut previous = None;
    for c in text.chars() {
        let id = scaled.glyph_id(c);
        if let Some(previous) = previous {
            width += scaled.kern(previous, id);
        }
        width += scaled.h_advance(id);
        previous = Some(id);
    }
    width
}

/// Draws `text` at `size` pixels in `colour`, anchored at `anchor`:
/// horizontally by `align`, vertically centred on the font's ascent and
/// descent.
pub(super) fn draw_text(
    area: &DrawingArea<BitMapBackend, Shift>,
    text: &str,
    anchor: (i32, i32),
    size: f32,
    colour: RGBColor,
    align: Align,
) -> Result<(), String> {
    let Some(font) = font() else { return Ok(()) };
    let scaled = font.as_scaled(PxScale::from(size));
    let width = text_width(text, size);
    let left = match align {
        Align::Left => anchor.0 as f32,
        Align::Center => anchor.0 as f32 - width / 2.0,
        Align::Right => anchor.0 as f32 - width,
    };
    // Centre the box from ascent to descent on the anchor. The descent is
    // negative, so the box's middle lies (ascent + descent) / 2 above the
    // baseline.
    let baseline = anchor.1 as f32 + (scaled.ascent() + scaled.descent()) / 2.0;

    let mut caret = left;
    let mut previous = None;
    for c in text.chars() {
        let id = scaled.glyph_id(c);
        if let Some(previous) = previous {
            caret += scaled.kern(previous, id);
        }
        let glyph = id.with_scale_and_position(PxScale::from(size), point(caret, baseline));
        caret += scaled.h_advance(id);
        previous = Some(id);
        let Some(outline) = font.outline_glyph(glyph) else { continue };

        // The rasteriser reports coverage relative to the glyph's pixel
        // bounds, whose corner already includes the side bearing.
        let bounds = outline.px_bounds();
        let mut result = Ok(());
        outline.draw(|x, y, coverage| {
            if result.is_ok() && coverage > 0.0 {
                let pixel = (bounds.min.x as i32 + x as i32, bounds.min.y as i32 + y as i32);
                result = area.draw_pixel(pixel, &colour.mix(f64::from(coverage.min(1.0))));
            }
        });
        result.map_err(|e| e.to_string())?;
    }
    Ok(())
}
