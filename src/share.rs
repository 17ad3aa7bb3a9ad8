//! Share images: a PNG card per statement (1200×630, for `og:image`) with the words, the
//! speaker, the date and the site's name, drawn at build time in pure Rust: an SVG made
//! here, rendered by resvg with the fonts bundled in `assets/fonts/` (DejaVu Serif
//! Condensed), so the output never depends on the fonts of the machine that builds.
//!
//! Lines are wrapped here, with the font's own advance widths; the font size shrinks for
//! long quotes and a quote that still does not fit ends in an ellipsis. Every piece of text
//! is XML-escaped: it comes from third parties.
//!
//! Cards are cached by content: a card's file name in the cache is a hash of everything
//! drawn on it (and [`CARD_VERSION`]), so an unchanged statement costs a file read.

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use rayon::prelude::*;
use resvg::{tiny_skia, usvg};
use sha2::{Digest, Sha256};

use crate::archive::{date_label, Archive, StatementRef};
use crate::content::StatementKind;
use crate::error::{Error, Result};
use crate::urls;

pub const CARD_WIDTH: u32 = 1200;
pub const CARD_HEIGHT: u32 = 630;

/// Part of every card's cache key: bump it whenever the drawing changes, so that cached
/// cards are made again.
pub const CARD_VERSION: u32 = 2;

const REGULAR: &[u8] = include_bytes!("../assets/fonts/DejaVuSerifCondensed.ttf");
const BOLD: &[u8] = include_bytes!("../assets/fonts/DejaVuSerifCondensed-Bold.ttf");

// The site's colours (static/style.css, light theme).
const BG: &str = "#fcfbf8";
const INK: &str = "#1c1b19";
const INK_2: &str = "#3a3834";
const MUTED: &str = "#5f5b53";
const RULE: &str = "#dcd6ca";
const ACCENT: &str = "#9b1c1c";
const REPORTED: &str = "#4f73a0";

// Layout, in pixels.
const MARGIN: f32 = 80.0;
const WORDS_X: f32 = 112.0;
const WORDS_TOP: f32 = 132.0;
const WORDS_BOTTOM: f32 = 472.0;
const FOOT_RULE: f32 = 500.0;
const LINE_HEIGHT: f32 = 1.3;
const MAX_LINES: usize = 6;
/// Font sizes tried for the words, largest first.
const SIZES: [f32; 9] = [64.0, 58.0, 52.0, 47.0, 43.0, 40.0, 37.0, 34.0, 31.0];

/// Everything drawn on one card.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Card {
    /// The site's title.
    pub site: String,
    /// The statement's words.
    pub words: String,
    /// Direct words are drawn in quotation marks; reported speech is marked "reported".
    pub kind: StatementKind,
    pub speaker: String,
    pub role: Option<String>,
    /// "14 Nov 2016", "published 14 Nov 2016" or "date unknown".
    pub date: String,
}

impl Card {
    /// The card of one statement of the archive.
    pub fn of(archive: &Archive, r: &StatementRef) -> Card {
        let (a, s) = archive.statement(r);
        let speaker = archive.speaker(&s.speaker);
        let role = a
            .doc
            .meta
            .speakers
            .iter()
            .find(|sp| sp.id == s.speaker)
            .and_then(|sp| sp.role.clone())
            .or_else(|| speaker.and_then(|sp| sp.meta.role.clone()));
        Card {
            site: archive.config.title.clone(),
            words: s.text.clone(),
            kind: s.kind,
            speaker: speaker
                .map(|sp| sp.meta.name.clone())
                .unwrap_or_else(|| s.speaker.clone()),
            role,
            date: match (r.date, r.date_is_estimate) {
                (Some(_), true) => format!("published {}", date_label(r.date)),
                _ => date_label(r.date),
            },
        }
    }

    /// A hash of everything drawn: the card's name in the cache.
    pub fn key(&self) -> String {
        let mut h = Sha256::new();
        h.update(format!(
            "onrecord-card-v{CARD_VERSION}-{CARD_WIDTH}x{CARD_HEIGHT}\0"
        ));
        for part in [
            self.site.as_str(),
            self.words.as_str(),
            self.kind.as_str(),
            self.speaker.as_str(),
            self.role.as_deref().unwrap_or("\u{1}"),
            self.date.as_str(),
        ] {
            h.update(part.as_bytes());
            h.update(b"\0");
        }
        h.finalize().iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// How a run of [`write_statement_cards`] went.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CardsReport {
    /// Cards drawn (not in the cache).
    pub rendered: usize,
    /// Cards read from the cache.
    pub cached: usize,
}

/// Every statement's card, `("statements/ID/share.png", png)`, made in parallel and cached
/// in `cache_dir`. Holds every image in memory: for big archives prefer
/// [`write_statement_cards`], which hands each one on as soon as it is made.
pub fn statement_cards(archive: &Archive, cache_dir: &Path) -> Result<Vec<(String, Vec<u8>)>> {
    let out = Mutex::new(Vec::with_capacity(archive.statements.len()));
    let all: Vec<usize> = (0..archive.statements.len()).collect();
    write_statement_cards(archive, cache_dir, &all, |path, png| {
        out.lock()
            .expect("no panics while holding the lock")
            .push((path.to_string(), png.to_vec()));
        Ok(())
    })?;
    let mut out = out.into_inner().expect("no panics while holding the lock");
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(out)
}

/// Make (or read from `cache_dir`) the cards of the statements `which` (indices into
/// `archive.statements`), in parallel, and pass each to `write` with its site-relative path
/// (`statements/ID/share.png`). When `which` is every statement, cached cards that no
/// statement uses any more are removed from `cache_dir` at the end.
pub fn write_statement_cards<F>(
    archive: &Archive,
    cache_dir: &Path,
    which: &[usize],
    write: F,
) -> Result<CardsReport>
where
    F: Fn(&str, &[u8]) -> Result<()> + Sync,
{
    fs::create_dir_all(cache_dir).map_err(|e| Error::io("create directory", cache_dir, e))?;
    let rendered = AtomicUsize::new(0);
    let cached = AtomicUsize::new(0);
    let keys: Vec<String> = which
        .par_iter()
        .map(|&i| {
            let r = &archive.statements[i];
            let (_, s) = archive.statement(r);
            let card = Card::of(archive, r);
            let key = card.key();
            let path = cache_dir.join(format!("{key}.png"));
            let png = match fs::read(&path) {
                Ok(bytes) if is_complete_png(&bytes) => {
                    cached.fetch_add(1, Ordering::Relaxed);
                    bytes
                }
                _ => {
                    let png = render_card(&card).map_err(|e| {
                        Error::Other(format!("share image of statement `{}`: {e}", s.id))
                    })?;
                    write_cache(&path, &png)?;
                    rendered.fetch_add(1, Ordering::Relaxed);
                    png
                }
            };
            write(&urls::share_image(&s.id), &png)?;
            Ok(key)
        })
        .collect::<Result<_>>()?;
    if which.len() == archive.statements.len() {
        prune_cache(cache_dir, &keys.into_iter().collect());
    }
    Ok(CardsReport {
        rendered: rendered.into_inner(),
        cached: cached.into_inner(),
    })
}

/// The PNG signature at the start and the IEND chunk at the end: not cut short.
fn is_complete_png(bytes: &[u8]) -> bool {
    const IEND: [u8; 12] = [0, 0, 0, 0, b'I', b'E', b'N', b'D', 0xAE, 0x42, 0x60, 0x82];
    bytes.starts_with(b"\x89PNG\r\n\x1a\n") && bytes.ends_with(&IEND)
}

/// Write a cache file: a temporary file renamed into place, so no reader sees half of it.
fn write_cache(path: &Path, bytes: &[u8]) -> Result<()> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let tmp = path.with_file_name(format!(".{name}.tmp-{}-{n}", std::process::id()));
    fs::write(&tmp, bytes)
        .and_then(|()| fs::rename(&tmp, path))
        .map_err(|e| {
            let _ = fs::remove_file(&tmp);
            Error::io("write", path, e)
        })
}

/// Remove the cached cards not in `keep` (cards of statements since changed or deleted).
fn prune_cache(cache_dir: &Path, keep: &HashSet<String>) {
    let Ok(entries) = fs::read_dir(cache_dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(stem) = name.to_str().and_then(|n| n.strip_suffix(".png")) else {
            continue;
        };
        let is_card = stem.len() == 64 && stem.bytes().all(|b| b.is_ascii_hexdigit());
        if is_card && !keep.contains(stem) {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// Draw one card: a 1200×630 PNG.
pub fn render_card(card: &Card) -> Result<Vec<u8>> {
    let fonts = fonts();
    let svg = card_svg(card, fonts);
    let options = usvg::Options {
        font_family: fonts.regular_family.clone(),
        fontdb: Arc::clone(&fonts.db),
        // The SVG is ours and refers to no image; refuse any all the same.
        image_href_resolver: usvg::ImageHrefResolver {
            resolve_data: Box::new(|_, _, _| None),
            resolve_string: Box::new(|_, _| None),
        },
        ..usvg::Options::default()
    };
    let tree = usvg::Tree::from_str(&svg, &options)
        .map_err(|e| Error::Other(format!("cannot draw the card: {e}")))?;
    let mut pixmap = tiny_skia::Pixmap::new(CARD_WIDTH, CARD_HEIGHT)
        .ok_or_else(|| Error::Other("cannot allocate the card".into()))?;
    resvg::render(
        &tree,
        tiny_skia::Transform::identity(),
        &mut pixmap.as_mut(),
    );
    match palette_png(&pixmap) {
        Some(png) => Ok(png),
        None => pixmap
            .encode_png()
            .map_err(|e| Error::Other(format!("cannot encode the card: {e}"))),
    }
}

/// The card as an indexed-colour PNG, when it has at most 256 colours (a card is flat
/// colours and anti-aliased text, ~100 colours): a third smaller than true colour, and
/// size matters at tens of thousands of cards on a 1 GB Pages site. None when the card
/// has more colours or any transparency.
fn palette_png(pixmap: &tiny_skia::Pixmap) -> Option<Vec<u8>> {
    let mut palette: Vec<[u8; 3]> = Vec::new();
    let mut index: std::collections::HashMap<[u8; 3], u8> = std::collections::HashMap::new();
    let mut indices = Vec::with_capacity((pixmap.width() * pixmap.height()) as usize);
    // A card is mostly long runs of one colour: look a colour up once per run.
    let mut last: Option<([u8; 3], u8)> = None;
    for px in pixmap.data().chunks_exact(4) {
        if px[3] != 255 {
            return None;
        }
        let rgb = [px[0], px[1], px[2]];
        if let Some((colour, i)) = last.filter(|(colour, _)| *colour == rgb) {
            indices.push(i);
            last = Some((colour, i));
            continue;
        }
        let i = match index.get(&rgb) {
            Some(&i) => i,
            None => {
                let i = u8::try_from(palette.len()).ok()?;
                palette.push(rgb);
                index.insert(rgb, i);
                i
            }
        };
        last = Some((rgb, i));
        indices.push(i);
    }
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, pixmap.width(), pixmap.height());
    encoder.set_color(png::ColorType::Indexed);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_palette(palette.concat());
    encoder.set_compression(png::Compression::High);
    let mut writer = encoder.write_header().ok()?;
    writer.write_image_data(&indices).ok()?;
    writer.finish().ok()?;
    Some(out)
}

/// The SVG of a card.
pub fn card_svg(card: &Card, fonts: &Fonts) -> String {
    let reg = &fonts.regular;
    let bold = &fonts.bold;
    let right = CARD_WIDTH as f32 - MARGIN;
    let mut svg = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{CARD_WIDTH}" height="{CARD_HEIGHT}" viewBox="0 0 {CARD_WIDTH} {CARD_HEIGHT}">"#
    );
    svg.push_str(&format!(
        r#"<rect width="{CARD_WIDTH}" height="{CARD_HEIGHT}" fill="{BG}"/><rect width="{CARD_WIDTH}" height="10" fill="{ACCENT}"/>"#
    ));

    // The site's name, small, at the top.
    let spacing = 2.5;
    let site = fit_line(
        bold,
        &card.site.to_uppercase(),
        24.0,
        right - MARGIN,
        spacing,
    );
    svg.push_str(&text_element(
        MARGIN,
        84.0,
        &fonts.bold_family,
        24.0,
        ACCENT,
        &format!(r#" font-weight="bold" letter-spacing="{spacing}""#),
        &site,
    ));

    // The words.
    let direct = card.kind == StatementKind::Direct;
    let (size, lines) = fit_words(reg, &card.words, direct, right - WORDS_X);
    let line_height = size * LINE_HEIGHT;
    let block = line_height * lines.len() as f32;
    let top = WORDS_TOP + ((WORDS_BOTTOM - WORDS_TOP - block) / 2.0).max(0.0);
    let (bar, dash) = if direct {
        (ACCENT, "")
    } else {
        (REPORTED, r#" stroke-dasharray="14 8""#)
    };
    svg.push_str(&format!(
        r#"<line x1="{x}" y1="{top:.1}" x2="{x}" y2="{bottom:.1}" stroke="{bar}" stroke-width="6"{dash}/>"#,
        x = MARGIN + 3.0,
        bottom = top + block - (line_height - size) / 2.0,
    ));
    let fill = if direct { INK } else { INK_2 };
    for (i, line) in lines.iter().enumerate() {
        let baseline = top + line_height * i as f32 + size * 0.98;
        svg.push_str(&text_element(
            WORDS_X,
            baseline,
            &fonts.regular_family,
            size,
            fill,
            "",
            line,
        ));
    }

    // Speaker, role, date (and "reported") at the bottom.
    svg.push_str(&format!(
        r#"<line x1="{MARGIN}" y1="{FOOT_RULE}" x2="{right}" y2="{FOOT_RULE}" stroke="{RULE}" stroke-width="2"/>"#
    ));
    let date_size = 28.0;
    let date_width = reg.width(&card.date, date_size, 0.0);
    svg.push_str(&text_element(
        right,
        552.0,
        &fonts.regular_family,
        date_size,
        INK_2,
        r#" text-anchor="end""#,
        &card.date,
    ));
    if !direct {
        svg.push_str(&text_element(
            right,
            590.0,
            &fonts.bold_family,
            20.0,
            REPORTED,
            r#" font-weight="bold" letter-spacing="2.5" text-anchor="end""#,
            "REPORTED",
        ));
    }
    let name_room = right - MARGIN - date_width.max(150.0) - 40.0;
    let name = fit_line(bold, &card.speaker, 36.0, name_room, 0.0);
    svg.push_str(&text_element(
        MARGIN,
        552.0,
        &fonts.bold_family,
        36.0,
        INK,
        r#" font-weight="bold""#,
        &name,
    ));
    if let Some(role) = card.role.as_deref().filter(|r| !r.trim().is_empty()) {
        let role = fit_line(reg, role, 25.0, name_room, 0.0);
        svg.push_str(&text_element(
            MARGIN,
            590.0,
            &fonts.regular_family,
            25.0,
            MUTED,
            "",
            &role,
        ));
    }
    svg.push_str("</svg>");
    svg
}

fn text_element(
    x: f32,
    y: f32,
    family: &str,
    size: f32,
    fill: &str,
    extra: &str,
    text: &str,
) -> String {
    format!(
        r#"<text x="{x:.1}" y="{y:.1}" font-family="{}" font-size="{size}" fill="{fill}"{extra}>{}</text>"#,
        xml_escape(family),
        xml_escape(text)
    )
}

/// Text for an XML text node or attribute: markup characters escaped, and characters XML
/// does not allow (most control characters) dropped.
pub fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(' '),
            c if (c as u32) < 0x20 || matches!(c, '\u{FFFE}' | '\u{FFFF}') => {}
            c => out.push(c),
        }
    }
    out
}

/// The largest size at which the words fit in at most `MAX_LINES` lines (fewer for big
/// sizes, so the block stays in its box), and the lines. When even the smallest size is
/// not enough, the last line ends in an ellipsis.
fn fit_words(font: &Font, words: &str, direct: bool, width: f32) -> (f32, Vec<String>) {
    let text = if direct {
        format!(
            "“{}”",
            words.split_whitespace().collect::<Vec<_>>().join(" ")
        )
    } else {
        words.split_whitespace().collect::<Vec<_>>().join(" ")
    };
    let max_lines = |size: f32| {
        (((WORDS_BOTTOM - WORDS_TOP) / (size * LINE_HEIGHT)) as usize).clamp(1, MAX_LINES)
    };
    for size in SIZES {
        let lines = wrap(font, &text, size, width);
        if lines.len() <= max_lines(size) {
            return (size, lines);
        }
    }
    let size = SIZES[SIZES.len() - 1];
    let n = max_lines(size);
    let mut lines = wrap(font, &text, size, width);
    lines.truncate(n);
    let ending = if direct { "…”" } else { "…" };
    let last = lines.pop().unwrap_or_default();
    let mut kept: Vec<&str> = last.split(' ').collect();
    loop {
        let candidate = format!(
            "{}{ending}",
            kept.join(" ").trim_end_matches([',', ';', ':', '.', ' '])
        );
        if kept.len() <= 1 || font.width(&candidate, size, 0.0) <= width {
            lines.push(candidate);
            break;
        }
        kept.pop();
    }
    (size, lines)
}

/// Greedy line breaking at spaces; a word wider than the line is broken anywhere.
fn wrap(font: &Font, text: &str, size: f32, width: f32) -> Vec<String> {
    let space = font.width(" ", size, 0.0);
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    let mut line_width = 0.0;
    for word in text.split_whitespace() {
        let w = font.width(word, size, 0.0);
        if !line.is_empty() && line_width + space + w <= width {
            line.push(' ');
            line.push_str(word);
            line_width += space + w;
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        if w <= width {
            line.push_str(word);
            line_width = w;
            continue;
        }
        // Too long for any line (a URL, a long compound): break it by characters.
        line_width = 0.0;
        for c in word.chars() {
            let cw = font.advance(c) * size;
            if !line.is_empty() && line_width + cw > width {
                lines.push(std::mem::take(&mut line));
                line_width = 0.0;
            }
            line.push(c);
            line_width += cw;
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// `text` on one line of at most `width`, cut with an ellipsis if need be.
fn fit_line(font: &Font, text: &str, size: f32, width: f32, spacing: f32) -> String {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if font.width(&text, size, spacing) <= width {
        return text;
    }
    let mut chars: Vec<char> = text.chars().collect();
    while !chars.is_empty() {
        chars.pop();
        let cut: String = chars.iter().collect();
        let candidate = format!("{}…", cut.trim_end());
        if font.width(&candidate, size, spacing) <= width {
            return candidate;
        }
    }
    "…".into()
}

/// The bundled fonts: in a font database for resvg, and their metrics for line breaking.
pub struct Fonts {
    db: Arc<usvg::fontdb::Database>,
    regular_family: String,
    bold_family: String,
    regular: Font,
    bold: Font,
}

/// The bundled fonts, loaded once.
pub fn fonts() -> &'static Fonts {
    static FONTS: OnceLock<Fonts> = OnceLock::new();
    FONTS.get_or_init(|| {
        let mut db = usvg::fontdb::Database::new();
        let regular_id = db.load_font_source(usvg::fontdb::Source::Binary(Arc::new(REGULAR)))[0];
        let bold_id = db.load_font_source(usvg::fontdb::Source::Binary(Arc::new(BOLD)))[0];
        let family = |id| {
            db.face(id)
                .and_then(|f| f.families.first())
                .map(|(name, _)| name.clone())
                .expect("the bundled fonts have a family name")
        };
        Fonts {
            regular_family: family(regular_id),
            bold_family: family(bold_id),
            db: Arc::new(db),
            regular: Font::parse(REGULAR)
                .expect("the bundled regular font is a valid TrueType font"),
            bold: Font::parse(BOLD).expect("the bundled bold font is a valid TrueType font"),
        }
    })
}

/// The metrics of a TrueType font that line breaking needs: the advance width of each
/// character (tables `head`, `hhea`, `hmtx` and `cmap`). Kerning is left out, which errs
/// on the safe side: kerned text is a little narrower.
pub struct Font {
    data: &'static [u8],
    units_per_em: f32,
    h_metrics: usize,
    hmtx: usize,
    cmap: Cmap,
}

#[derive(Clone, Copy)]
enum Cmap {
    /// Segment mapping to delta values (BMP only), at this offset.
    Format4(usize),
    /// Segmented coverage (all of Unicode), at this offset.
    Format12(usize),
}

impl Font {
    fn parse(data: &'static [u8]) -> Option<Font> {
        let u16_at = |o: usize| data.get(o..o + 2).map(|b| u16::from_be_bytes([b[0], b[1]]));
        let u32_at = |o: usize| {
            data.get(o..o + 4)
                .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
        };
        let tables = u16_at(4)? as usize;
        let table = |tag: &[u8; 4]| {
            (0..tables).find_map(|i| {
                let rec = 12 + 16 * i;
                (data.get(rec..rec + 4)? == tag).then(|| u32_at(rec + 8).map(|o| o as usize))?
            })
        };
        let head = table(b"head")?;
        let hhea = table(b"hhea")?;
        let hmtx = table(b"hmtx")?;
        let cmap = table(b"cmap")?;
        let mut best: Option<(u8, Cmap)> = None;
        for i in 0..u16_at(cmap + 2)? as usize {
            let rec = cmap + 4 + 8 * i;
            let (platform, encoding) = (u16_at(rec)?, u16_at(rec + 2)?);
            let sub = cmap + u32_at(rec + 4)? as usize;
            let candidate = match (platform, encoding, u16_at(sub)?) {
                (3, 10, 12) | (0, 4, 12) => (2, Cmap::Format12(sub)),
                (3, 1, 4) | (0, 3, 4) => (1, Cmap::Format4(sub)),
                _ => continue,
            };
            if best.is_none_or(|(rank, _)| candidate.0 > rank) {
                best = Some(candidate);
            }
        }
        Some(Font {
            data,
            units_per_em: f32::from(u16_at(head + 18)?.max(1)),
            h_metrics: u16_at(hhea + 34)?.max(1) as usize,
            hmtx,
            cmap: best?.1,
        })
    }

    fn u16_at(&self, o: usize) -> u16 {
        self.data
            .get(o..o + 2)
            .map(|b| u16::from_be_bytes([b[0], b[1]]))
            .unwrap_or(0)
    }

    fn u32_at(&self, o: usize) -> u32 {
        self.data
            .get(o..o + 4)
            .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
            .unwrap_or(0)
    }

    /// The glyph of a character; 0 (the "missing" glyph) when the font has none.
    fn glyph(&self, c: char) -> u16 {
        let c = c as u32;
        match self.cmap {
            Cmap::Format12(sub) => {
                let groups = self.u32_at(sub + 12) as usize;
                let (mut lo, mut hi) = (0, groups);
                while lo < hi {
                    let mid = (lo + hi) / 2;
                    let g = sub + 16 + 12 * mid;
                    let (start, end) = (self.u32_at(g), self.u32_at(g + 4));
                    if c < start {
                        hi = mid;
                    } else if c > end {
                        lo = mid + 1;
                    } else {
                        return (self.u32_at(g + 8) + (c - start)) as u16;
                    }
                }
                0
            }
            Cmap::Format4(sub) => {
                if c > 0xFFFF {
                    return 0;
                }
                let segs = self.u16_at(sub + 6) as usize / 2;
                let ends = sub + 14;
                let starts = ends + 2 * segs + 2;
                let deltas = starts + 2 * segs;
                let offsets = deltas + 2 * segs;
                let (mut lo, mut hi) = (0, segs);
                while lo < hi {
                    let mid = (lo + hi) / 2;
                    if u32::from(self.u16_at(ends + 2 * mid)) < c {
                        lo = mid + 1;
                    } else {
                        hi = mid;
                    }
                }
                if lo == segs {
                    return 0;
                }
                let start = u32::from(self.u16_at(starts + 2 * lo));
                if c < start {
                    return 0;
                }
                let delta = self.u16_at(deltas + 2 * lo);
                let range = self.u16_at(offsets + 2 * lo) as usize;
                if range == 0 {
                    return (c as u16).wrapping_add(delta);
                }
                let at = offsets + 2 * lo + range + 2 * (c - start) as usize;
                match self.u16_at(at) {
                    0 => 0,
                    g => g.wrapping_add(delta),
                }
            }
        }
    }

    /// The advance width of a character, in ems.
    fn advance(&self, c: char) -> f32 {
        let glyph = self.glyph(c) as usize;
        let i = glyph.min(self.h_metrics - 1);
        f32::from(self.u16_at(self.hmtx + 4 * i)) / self.units_per_em
    }

    /// The width of `text` at `size` pixels, with `spacing` pixels between letters.
    pub fn width(&self, text: &str, size: f32, spacing: f32) -> f32 {
        text.chars().map(|c| self.advance(c) * size + spacing).sum()
    }
}

/// Where the cards of an archive are cached between builds: `ROOT/.onrecord-cache/share/`.
pub fn cache_dir(root: &Path) -> PathBuf {
    root.join(".onrecord-cache").join("share")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metrics_match_the_font() {
        let f = &fonts().regular;
        // DejaVu Serif Condensed: 2048 units per em; every glyph used here exists.
        assert_eq!(f.units_per_em, 2048.0);
        for c in ['a', 'W', '“', '…', 'Ж', 'é'] {
            assert_ne!(f.glyph(c), 0, "{c}");
        }
        assert!(f.width("WWWW", 10.0, 0.0) > f.width("iiii", 10.0, 0.0));
        assert_eq!(f.width("", 10.0, 0.0), 0.0);
    }

    #[test]
    fn long_words_wrap_and_long_quotes_end_in_an_ellipsis() {
        let f = &fonts().regular;
        let lines = wrap(f, &"x".repeat(500), 40.0, 1000.0);
        assert!(lines.len() > 1);
        assert!(lines.iter().all(|l| f.width(l, 40.0, 0.0) <= 1000.0));
        let long = "word ".repeat(400);
        let (size, lines) = fit_words(f, &long, true, 1000.0);
        assert_eq!(size, SIZES[SIZES.len() - 1]);
        assert_eq!(lines.len(), MAX_LINES);
        assert!(lines.last().unwrap().ends_with("…”"));
        let (size, lines) = fit_words(f, "Short.", true, 1000.0);
        assert_eq!((size, lines), (SIZES[0], vec!["“Short.”".to_string()]));
    }

    #[test]
    fn escaping() {
        assert_eq!(
            xml_escape("<script>&\"'\u{0}\u{7}\n"),
            "&lt;script&gt;&amp;&quot;&apos; "
        );
    }
}
