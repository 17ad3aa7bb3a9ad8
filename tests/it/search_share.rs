//! The search index (src/search.rs) and the share images (src/share.rs) of the `basic`
//! fixture archive: what the index holds and where its records link; the cards' size, that
//! they differ, that they are cached by content, and that hostile text draws safely.

use crate::common::{copy_dir, fixture};

use std::path::Path;

use onrecord::archive::{self, Archive};
use onrecord::build::{load_config, BuildOptions};
use onrecord::content::StatementKind;
use onrecord::search;
use onrecord::share::{self, Card, CardsReport, CARD_HEIGHT, CARD_WIDTH};

fn load(root: &Path) -> Archive {
    let config = load_config(&BuildOptions {
        root: root.to_path_buf(),
        ..BuildOptions::default()
    })
    .expect("site.toml loads");
    archive::load(config).expect("the archive resolves")
}

/// Width and height from a PNG's IHDR chunk.
fn png_size(png: &[u8]) -> (u32, u32) {
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "a PNG signature");
    assert_eq!(&png[12..16], b"IHDR");
    let be = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
    (be(&png[16..20]), be(&png[20..24]))
}

#[test]
fn index_has_the_bundle_and_records_link_to_anchors() {
    let archive = load(&fixture("basic"));
    let files = search::index_files(&archive).unwrap();
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    for needed in [
        "pagefind/pagefind.js",
        "pagefind/pagefind-entry.json",
        "pagefind/wasm.en.pagefind",
    ] {
        assert!(names.contains(&needed), "{needed} in {names:?}");
    }
    for kind in [".pf_meta", ".pf_index", ".pf_fragment", ".pf_filter"] {
        assert!(names.iter().any(|n| n.ends_with(kind)), "a {kind} file");
    }
    assert!(
        names
            .iter()
            .all(|n| n.starts_with("pagefind/") && !n.contains("..")),
        "everything under pagefind/"
    );
    assert!(
        !names
            .iter()
            .any(|n| n.contains("-ui.") || n.contains("worker")),
        "Pagefind's own UIs and its worker are left out"
    );
    let entry: serde_json::Value = serde_json::from_slice(
        &files
            .iter()
            .find(|(n, _)| n == "pagefind/pagefind-entry.json")
            .unwrap()
            .1,
    )
    .unwrap();
    // 3 statements, 3 speakers, 2 articles.
    assert_eq!(entry["languages"]["en"]["page_count"], 8);

    let records = search::records(&archive);
    let r = records
        .iter()
        .find(|r| r.url.ends_with("#peskov-no-contact"))
        .expect("a record for the statement");
    assert_eq!(r.url, "articles/peskov-denies/#peskov-no-contact");
    assert_eq!(
        r.meta["title"],
        "Dmitry Peskov: “There were no contacts with the campaign before the election”"
    );
    assert_eq!(r.meta["speaker"], "Dmitry Peskov");
    assert_eq!(r.meta["date"], "14 Nov 2016");
    assert_eq!(r.meta["kind"], "direct");
    for word in [
        "campaign",
        "Dmitry Peskov",
        "denied",
        "Kremlin Spokesman Denies Contact",
    ] {
        assert!(r.content.contains(word), "{word} in {:?}", r.content);
    }
    assert_eq!(r.filters["speaker"], ["dmitry-peskov"]);
    assert_eq!(r.filters["kind"], ["direct"]);
    assert_eq!(r.sort["date"], "2016-11-14");
    let reported = records
        .iter()
        .find(|r| r.url.ends_with("#official-view"))
        .unwrap();
    assert_eq!(reported.meta["date"], "published 14 Nov 2016");
    assert_eq!(reported.filters["kind"], ["reported"]);
    assert!(records.iter().any(|r| r.url == "speakers/sergei-ryabkov/"));
    let article = records
        .iter()
        .find(|r| r.url == "articles/ryabkov-confirms/")
        .unwrap();
    assert!(article
        .content
        .contains("The ministry's statement, as published"));
    assert!(!article.content.contains("```"), "body text, not Markdown");
    // Site-relative: the search page prefixes its `root`, so a base path (/repo/) works.
    assert!(records
        .iter()
        .all(|r| !r.url.starts_with('/') && !r.url.contains("://")));
}

#[test]
fn cards_are_pngs_of_the_right_size_and_differ() {
    let archive = load(&fixture("basic"));
    let cache = tempfile::tempdir().unwrap();
    let cards = share::statement_cards(&archive, cache.path()).unwrap();
    assert_eq!(cards.len(), archive.statements.len());
    let mut paths: Vec<&str> = cards.iter().map(|(p, _)| p.as_str()).collect();
    paths.sort_unstable();
    assert_eq!(
        paths,
        [
            "statements/official-view/share.png",
            "statements/peskov-no-contact/share.png",
            "statements/ryabkov-had-contacts/share.png",
        ]
    );
    for (path, png) in &cards {
        assert_eq!(png_size(png), (CARD_WIDTH, CARD_HEIGHT), "{path}");
        assert!(png.len() < 40_000, "{path}: {} bytes", png.len());
        assert_eq!(
            png[25], 3,
            "{path}: an indexed-colour PNG (IHDR colour type 3)"
        );
    }
    for (i, a) in cards.iter().enumerate() {
        for b in &cards[i + 1..] {
            assert_ne!(a.1, b.1, "{} and {} are drawn the same", a.0, b.0);
        }
    }
}

#[test]
fn cards_are_cached_by_content() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("archive");
    copy_dir(&fixture("basic"), &root);
    let cache = dir.path().join("cache");
    let count = |archive: &Archive| {
        let all: Vec<usize> = (0..archive.statements.len()).collect();
        share::write_statement_cards(archive, &cache, &all, |_, _| Ok(())).unwrap()
    };

    let archive = load(&root);
    assert_eq!(
        count(&archive),
        CardsReport {
            rendered: 3,
            cached: 0
        }
    );
    assert_eq!(std::fs::read_dir(&cache).unwrap().count(), 3);
    // Nothing changed: every card is read back from the cache, none is drawn.
    assert_eq!(
        count(&archive),
        CardsReport {
            rendered: 0,
            cached: 3
        }
    );

    // What is read is what is in the cache.
    let key = Card::of(&archive, &archive.statements[0]).key();
    let marker = cache.join(format!("{key}.png"));
    let mut fake = std::fs::read(&marker).unwrap();
    fake.splice(33..33, *b"\0\0\0\0tEXt\0\0\0\0"); // a chunk more: still a whole PNG
    std::fs::write(&marker, &fake).unwrap();
    let id = archive.statement(&archive.statements[0]).1.id.clone();
    let cards = share::statement_cards(&archive, &cache).unwrap();
    let path = format!("statements/{id}/share.png");
    assert_eq!(cards.iter().find(|(p, _)| *p == path).unwrap().1, fake);

    // A cut-short cache file is drawn again.
    std::fs::write(&marker, &fake[..100]).unwrap();
    assert_eq!(
        count(&archive),
        CardsReport {
            rendered: 1,
            cached: 2
        }
    );

    // One statement's words change: only its card is drawn again; the old one is pruned.
    let article = root.join("content/articles/peskov-denies.md");
    let text = std::fs::read_to_string(&article).unwrap();
    std::fs::write(
        &article,
        text.replace("    note: This", "    note: Changed. This")
            .replace(
                "text: the Kremlin was pleased with the result",
                "text: the Kremlin was pleased",
            ),
    )
    .unwrap();
    let archive = load(&root);
    assert_eq!(
        count(&archive),
        CardsReport {
            rendered: 1,
            cached: 2
        }
    );
    assert_eq!(
        std::fs::read_dir(&cache).unwrap().count(),
        3,
        "the stale card is pruned"
    );
}

#[test]
fn hostile_and_long_text_draws() {
    let card = Card {
        site: "Site & <Co> \"quoted\"".into(),
        words: "<script>alert('x')</script> & ]]> <!-- --> &amp; \u{0}\u{1b} \u{202e}reversed \
                Москва 日本語 🙂 "
            .repeat(30),
        kind: StatementKind::Direct,
        speaker: "</text><image href=\"file:///etc/passwd\"/>".into(),
        role: Some("<b>role</b>".into()),
        date: "14 Nov 2016".into(),
    };
    let png = share::render_card(&card).unwrap();
    assert_eq!(png_size(&png), (CARD_WIDTH, CARD_HEIGHT));
    let svg = share::card_svg(&card, share::fonts());
    assert!(!svg.contains("<script>") && !svg.contains("<image") && !svg.contains("<b>"));
    assert!(svg.contains("&lt;script&gt;"));

    let reported = Card {
        kind: StatementKind::Reported,
        words: "a".into(),
        role: None,
        speaker: String::new(),
        ..card
    };
    let png = share::render_card(&reported).unwrap();
    assert_eq!(png_size(&png), (CARD_WIDTH, CARD_HEIGHT));
    let svg = share::card_svg(&reported, share::fonts());
    assert!(svg.contains("REPORTED") && !svg.contains('“'));
}
