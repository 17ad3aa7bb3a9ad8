//! The search index (src/search.rs) and the share images (src/share.rs) of the `basic`
//! fixture archive: what the index holds and where its records link; the cards' size, that
//! they differ, that they are cached by content, and that hostile text draws safely.

use crate::common::{copy_dir, fixture};

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

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

/// The index's files by path.
fn index_of(archive: &Archive) -> BTreeMap<String, Vec<u8>> {
    let files = search::index_files(archive, &|| false).unwrap();
    files.expect("not stopped").into_iter().collect()
}

fn json(files: &BTreeMap<String, Vec<u8>>, path: &str) -> Value {
    let bytes = files
        .get(&format!("search-index/{path}"))
        .unwrap_or_else(|| panic!("search-index/{path} in {:?}", files.keys()));
    serde_json::from_slice(bytes).unwrap()
}

/// Gap-encoded ids (the first, then differences) as ids.
fn ids(gaps: &Value) -> Vec<u64> {
    let mut id = 0;
    gaps.as_array()
        .unwrap()
        .iter()
        .map(|gap| {
            id += gap.as_u64().unwrap();
            id
        })
        .collect()
}

/// The record with id `id`, as the search page gets it.
fn record(files: &BTreeMap<String, Vec<u8>>, id: u64) -> Value {
    let meta = json(files, "meta.json");
    let starts: Vec<u64> = meta["chunks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_u64().unwrap())
        .collect();
    let chunk = starts.iter().rposition(|&s| s <= id).unwrap();
    json(files, &format!("records/{chunk}.json"))[(id - starts[chunk]) as usize].clone()
}

/// The term's (ids, title ids) from its shard.
fn postings(files: &BTreeMap<String, Vec<u8>>, term: &str) -> (Vec<u64>, Vec<u64>) {
    let shards = json(files, "meta.json")["shards"].as_u64().unwrap() as usize;
    let shard = json(
        files,
        &format!("terms/{}.json", search::shard_of(term, shards)),
    );
    let lists = &shard[term];
    assert!(lists.is_array(), "{term} in its shard");
    (ids(&lists[0]), ids(&lists[1]))
}

#[test]
fn index_finds_records_by_their_words_and_links_to_anchors() {
    let archive = load(&fixture("basic"));
    let files = index_of(&archive);
    assert!(
        files
            .keys()
            .all(|n| n.starts_with("search-index/") && !n.contains("..")),
        "everything under search-index/: {:?}",
        files.keys()
    );
    let meta = json(&files, "meta.json");
    // 3 statements, 3 speakers, 2 articles; the speakers have no date.
    assert_eq!(meta["records"], 8);
    assert_eq!(meta["dated"], 5);
    assert_eq!(
        meta["filters"],
        serde_json::json!(["kind", "speaker", "type"])
    );
    let shards = meta["shards"].as_u64().unwrap();
    for n in 0..shards {
        json(&files, &format!("terms/{n}.json"));
    }

    // "pleased" is in one statement's words and in its article's body.
    let (found, titled) = postings(&files, "pleased");
    let urls: Vec<String> = found
        .iter()
        .map(|&id| record(&files, id)["url"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        urls,
        [
            "articles/peskov-denies/#official-view",
            "articles/peskov-denies/"
        ]
    );
    assert_eq!(
        titled,
        found[..1],
        "in the statement's title, not the article's"
    );
    let statement = record(&files, found[0]);
    assert_eq!(statement["meta"]["speaker"], "Russian official (anonymous)");
    assert_eq!(statement["meta"]["kind"], "reported");
    assert!(
        statement.get("text").is_none(),
        "a statement shows its words"
    );
    let article = record(&files, found[1]);
    assert!(article["text"]
        .as_str()
        .unwrap()
        .contains("the Kremlin was pleased with the result"));

    // Words are folded: capitals and the words of meta fields (the date) are found.
    assert!(!postings(&files, "kremlin").0.is_empty());
    assert_eq!(postings(&files, "2016").0.len(), 5);
    let (peskov, peskov_titled) = postings(&files, "peskov");
    let speaker = record(&files, *peskov.last().unwrap());
    assert_eq!(speaker["url"], "speakers/dmitry-peskov/", "undated, last");
    assert!(peskov_titled.contains(peskov.last().unwrap()));

    // Filters: each value with its records.
    let kinds = json(&files, "filters/kind.json");
    assert_eq!(ids(&kinds["reported"]), found[..1]);
    let by_speaker = json(&files, "filters/speaker.json");
    let said = ids(&by_speaker["dmitry-peskov"]);
    assert_eq!(said.len(), 1);
    assert_eq!(
        record(&files, said[0])["url"],
        "articles/peskov-denies/#peskov-no-contact"
    );
    let types = json(&files, "filters/type.json");
    assert_eq!(ids(&types["speaker"]), [5, 6, 7]);
    assert_eq!(ids(&types["statement"]).len(), 3);
    assert_eq!(ids(&types["article"]).len(), 2);

    // Ids run by date: dated records oldest first, then the undated.
    let dates: Vec<String> = (0..8)
        .map(|id| {
            let r = record(&files, id);
            let url = r["url"].as_str().unwrap().to_string();
            let rec = search::records(&archive)
                .into_iter()
                .find(|x| x.url == url)
                .unwrap();
            rec.sort.get("date").cloned().unwrap_or_default()
        })
        .collect();
    let dated: Vec<&String> = dates.iter().take(5).collect();
    assert!(dated.windows(2).all(|w| w[0] <= w[1]), "{dates:?}");
    assert!(dated.iter().all(|d| !d.is_empty()) && dates[5..].iter().all(String::is_empty));
}

/// serve keeps each article's records between builds: the index made from kept records
/// (the second build) must be the one made afresh.
#[test]
fn kept_records_make_the_index_fresh_ones_make() {
    let fresh = index_of(&load(&fixture("basic")));
    let mut archive = load(&fixture("basic"));
    archive.keep_derived = true;
    let keeping = index_of(&archive);
    assert!(archive.articles[0].search_records.get().is_some(), "kept");
    let from_kept = index_of(&archive);
    assert_eq!(keeping, fresh);
    assert_eq!(from_kept, fresh);
}

#[test]
fn hostile_text_is_indexed_as_text() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("archive");
    copy_dir(&fixture("basic"), &root);
    let article = root.join("content/articles/peskov-denies.md");
    let text = std::fs::read_to_string(&article).unwrap();
    let hostile = "Zelénskyy's \"quote\" </script><img src=x onerror=alert(1)> \\u2028 __proto__";
    std::fs::write(
        &article,
        text.replace(
            "Kremlin Spokesman Denies Contact",
            &hostile.replace('"', "'"),
        ),
    )
    .unwrap();
    let archive = load(&root);
    let files = index_of(&archive);
    for (path, bytes) in &files {
        serde_json::from_slice::<Value>(bytes).unwrap_or_else(|e| panic!("{path}: {e}"));
    }
    // Folded: marks dropped, lower-cased; markup only words.
    assert_eq!(
        postings(&files, "zelenskyy").0.len(),
        3,
        "the article and its 2 statements"
    );
    assert!(!postings(&files, "onerror").0.is_empty());
    assert!(!postings(&files, "proto").0.is_empty());
    let (found, _) = postings(&files, "zelenskyy");
    let article = found
        .iter()
        .map(|&id| record(&files, id))
        .find(|r| r["url"] == "articles/peskov-denies/")
        .unwrap();
    assert_eq!(
        article["meta"]["title"].as_str().unwrap(),
        hostile.replace('"', "'"),
        "kept as it is, for the page to insert as text"
    );
}

#[test]
fn records_hold_what_results_show() {
    let archive = load(&fixture("basic"));
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
