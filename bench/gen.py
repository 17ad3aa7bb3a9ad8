#!/usr/bin/env python3
"""Deterministic synthetic corpora for the onrecord benchmark (Python 3 standard library only).

For N articles it writes, under OUT/:

  onrecord/   an archive in onrecord's format: site.toml (statement_pages switch),
              content/articles/*.md (front matter as in README.md "Content format"),
              content/speakers/*.md (the registry)
  import/     an empty archive holding only the raw articles: site.toml,
              content/sources/NNNNNN.txt (plain-text news style, straight or curly quotes)
              and content/sources/metadata.toml (as read by src/import/metadata.rs)
  hugo/       the same articles as a Hugo site: a `speakers` taxonomy, article, list,
              term and timeline layouts of similar weight to onrecord's templates, sitemap on
  zola/       the same as a Zola site: a `speakers` taxonomy, same templates in Tera 1

Every article has 600-900 words, 2-5 speakers drawn from a pool of a few hundred and 3-8
statements, each of whose text occurs word for word in the body. The same seed and N give
byte-identical output.

    python3 bench/gen.py --articles 1000 --out bench/work/corpus-1000 [--seed 1] [--statement-pages true|false]
"""

import argparse
import datetime
import hashlib
import json
import os
import random
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)

# --------------------------------------------------------------------------- vocabulary

WORDS = """
government minister ministry officials official talks meeting agreement sanctions policy
election campaign president administration foreign affairs security council region border
economy budget trade energy pipeline gas oil prices market markets bank banks currency
inflation growth reform reforms parliament deputies vote votes law laws court courts judge
investigation report reports documents evidence witnesses journalists press statement
spokesman spokeswoman committee delegation summit negotiations proposal proposals plan plans
strategy military troops defense exercises forces missile missiles treaty arms control
partners allies neighbors relations cooperation dialogue contacts channels visit visits
capital city cities province provinces governor governors mayor residents citizens people
public opinion poll polls survey support opposition party parties leader leaders members
coalition majority minority question questions answer answers issue issues matter matters
decision decisions process procedure rules regulations framework mechanism system systems
infrastructure roads railways ports airports projects project investment investments funds
program programs schools hospitals health education science research technology companies
company industry industries workers jobs wages pensions taxes revenue spending debt loans
week month year years decade weeks months days morning evening night time period history
future past present situation conditions circumstances events developments changes progress
problems problem risks risk threat threats challenges challenge concerns concern interests
position positions view views approach stance line steps measures action actions response
results outcome outcomes consequences impact effect effects signal signals message messages
about after again against ahead already also always among around because before behind
between beyond both certainly clearly close closely completely constantly directly during
early each either enough entirely especially even eventually ever every fully further
generally hardly however indeed instead largely later likely mainly merely more most much
nearly never nevertheless now often only openly otherwise over perhaps possibly probably
quickly quite rather really recently regularly roughly simply since slowly soon still
strongly such than then there therefore though through thus together too toward under
until usually very well while within without yet new old long short high low large small
major minor main key important serious significant full open closed direct indirect
national international regional local federal central western eastern northern southern
economic political social military diplomatic legal financial official informal private
public possible necessary difficult clear constructive productive useful normal natural
discuss discussed consider considered support supported oppose opposed expect expected
continue continued remain remained begin began prepare prepared propose proposed reject
rejected accept accepted confirm confirmed deny denied review reviewed study studied
maintain maintained develop developed improve improved reduce reduced increase increased
strengthen strengthened resolve resolved reach reached keep kept hold held take taken
make made give given show shown see seen work worked build built meet met call called
ensure ensured protect protected respect respected respond responded address addressed
""".split()

FUNCTION = "the the the the a a an of of of to to to in in and and and for on with by as at from that this these those its their our".split()

FIRST = """Alexander Alexei Anatoly Andrei Anna Boris Dmitry Elena Galina Igor Irina Ivan Konstantin
Maria Mikhail Natalia Nikolai Oleg Olga Pavel Sergei Svetlana Tatiana Vladimir Yuri Viktor
James John Robert Michael William David Richard Joseph Thomas Charles Mary Patricia Jennifer
Linda Elizabeth Barbara Susan Jessica Sarah Karen Daniel Matthew Anthony Mark Donald Steven
Paul Andrew Joshua Kevin Brian George Edward Ronald Timothy Jason Jeffrey Ryan Jacob Gary
Nicholas Eric Jonathan Stephen Larry Justin Scott Brandon Benjamin Samuel Gregory Frank
Emma Sophie Laura Claire Helen Julia Nora Ruth Alice Grace Hannah Lucy Rachel Sofia Marta
Pierre Jean Luc Henri Klaus Hans Peter Lars Jan Piotr Tomas Marek Karel Stefan Andreas""".split()

LAST = """Abramov Belov Bogdanov Volkov Vorobyov Gusev Zaitsev Ivanov Kiselev Kozlov Kuznetsov
Lebedev Makarov Medvedev Morozov Nikitin Novikov Orlov Pavlov Petrov Popov Romanov Semenov
Smirnov Sokolov Solovyov Stepanov Tarasov Fedorov Frolov Chernov Sharov Yakovlev Yegorov
Anderson Baker Carter Clark Collins Cooper Davis Edwards Evans Fisher Foster Garcia Gray
Green Hall Harris Hayes Hughes Jackson Jenkins Johnson Kelly King Lewis Martin Miller Mitchell
Moore Morgan Murphy Nelson Parker Perry Phillips Powell Reed Roberts Rogers Russell Sanders
Scott Stewart Sullivan Taylor Thompson Turner Walker Ward Watson White Williams Wilson Wood
Young Bauer Becker Fischer Hoffmann Keller Krause Lang Meyer Richter Schmidt Schneider Weber
Dubois Durand Fontaine Girard Laurent Lefebvre Moreau Rousseau Novak Kowalski Nowak Horvat""".split()

ROLES = """Kremlin spokesman|foreign minister|deputy foreign minister|defense minister|finance minister
|economy minister|energy minister|prime minister|president|ambassador to the United States
|ambassador to the United Nations|senator|deputy speaker of parliament|central bank governor
|presidential aide|national security adviser|secretary of state|chief of staff|mayor
|regional governor|opposition leader|party chairman|foreign ministry spokeswoman
|security council secretary|trade representative|special envoy|committee chairman
|former intelligence officer|political analyst|senior researcher""".replace("\n", "").split("|")

ANON = [
    ("Russian official", "a Russian official"),
    ("Western diplomat", "a Western diplomat"),
    ("senior government official", "a senior government official"),
    ("foreign ministry source", "a foreign ministry source"),
    ("person familiar with the talks", "a person familiar with the talks"),
    ("congressional aide", "a congressional aide"),
    ("European official", "a European official"),
    ("defense official", "a defense official"),
]

ORGS = ["Kremlin", "Foreign Ministry", "State Department", "White House", "Defense Ministry",
        "Central Bank", "European Commission", "Security Council", "Finance Ministry",
        "Energy Ministry"]

PUBLICATIONS = ["The Moscow Times", "The Times of Israel", "The Daily Ledger", "Evening Courier",
                "The Morning Herald", "Global Wire", "The Capital Post", "Northern Gazette"]

VERBS_DIRECT = ["said", "said", "said", "told reporters", "told journalists", "added", "said"]
VERBS_REPORTED = ["said", "said", "told reporters", "told journalists", "denied", "confirmed",
                  "insisted", "claimed", "stressed"]

MONTHS = ["Jan.", "Feb.", "March", "April", "May", "June", "July", "Aug.", "Sept.", "Oct.",
          "Nov.", "Dec."]


def slugify(s):
    out, dash = [], False
    for ch in s.lower():
        if ch.isascii() and ch.isalnum():
            out.append(ch)
            dash = False
        elif not dash and out:
            out.append("-")
            dash = True
    return "".join(out).strip("-")


def q(s):
    """A YAML/TOML double-quoted string (JSON escaping is valid in both)."""
    return json.dumps(s, ensure_ascii=False)


class Gen:
    def __init__(self, seed):
        self.r = random.Random(seed)

    def words(self, n):
        r = self.r
        out = []
        for _ in range(n):
            out.append(r.choice(FUNCTION) if r.random() < 0.35 else r.choice(WORDS))
        return out

    def sentence(self, n=None):
        n = n or self.r.randint(9, 22)
        w = self.words(n)
        # A comma now and then, for realism.
        if n > 12:
            k = self.r.randint(4, n - 5)
            w[k] = w[k] + ","
        w[0] = w[0].capitalize()
        return " ".join(w) + "."

    def clause(self, lo, hi):
        """Statement words: no quotes or apostrophes, so that the text is found as is in
        every generator's HTML too (Hugo and Zola mark statements by text replacement)."""
        n = self.r.randint(lo, hi)
        w = self.words(n)
        if n > 10:
            k = self.r.randint(3, n - 4)
            w[k] = w[k] + ","
        return w


# --------------------------------------------------------------------------- the model

def make_speakers(g, pool):
    r = g.r
    speakers, used = [], set()
    n_anon = max(2, pool // 25)
    n_org = max(2, pool // 30)
    for i in range(n_org):
        name = ORGS[i % len(ORGS)] + ("" if i < len(ORGS) else f" {i // len(ORGS) + 1}")
        sid = slugify(name)
        used.add(sid)
        speakers.append(dict(id=sid, name=name, role=None, anonymous=False, organization=True,
                             ref=f"the {name}", short=f"the {name}", aliases=[]))
    for i in range(n_anon):
        base, ref = ANON[i % len(ANON)]
        suffix = "" if i < len(ANON) else f" {i // len(ANON) + 1}"
        name = f"{base[0].upper()}{base[1:]}{suffix} (anonymous)"
        sid = "anonymous-" + slugify(base + suffix)
        used.add(sid)
        speakers.append(dict(id=sid, name=name, role=None, anonymous=True, organization=False,
                             ref=ref, short="the source", aliases=[]))
    while len(speakers) < pool:
        first, last = r.choice(FIRST), r.choice(LAST)
        sid = slugify(f"{first} {last}")
        if sid in used:
            continue
        used.add(sid)
        role = r.choice(ROLES)
        speakers.append(dict(id=sid, name=f"{first} {last}", role=role, anonymous=False,
                             organization=False, ref=f"{first} {last}", short=last,
                             aliases=[last]))
    return speakers


def date_label(d):
    return f"{MONTHS[d.month - 1]} {d.day}"


def make_article(g, i, speakers, earlier_ids):
    r = g.r
    start = datetime.date(2010, 1, 1)
    date = start + datetime.timedelta(days=r.randint(0, 15 * 365))
    title_words = [r.choice(WORDS) for _ in range(r.randint(5, 9))]
    title = " ".join(w.capitalize() for w in title_words)
    slug = f"{date.isoformat()}-{slugify(' '.join(title_words[:5]))}-{i:06d}"
    publication = r.choice(PUBLICATIONS)
    cast = r.sample(speakers, r.randint(2, 5))
    n_st = r.randint(max(3, len(cast)), 8)
    owners = list(cast) + [r.choice(cast) for _ in range(n_st - len(cast))]
    r.shuffle(owners)
    target_words = r.randint(600, 900)
    mentioned = set()
    statements = []
    paragraphs = []  # list of (markdown text, raw text)
    # Lead paragraph.
    lead = " ".join(g.sentence() for _ in range(r.randint(2, 3)))
    paragraphs.append(lead)
    for j, sp in enumerate(owners):
        kind = "direct" if r.random() < 0.65 else "reported"
        words = g.clause(8, 24)
        text = " ".join(words)
        text = text[0].upper() + text[1:] if kind == "direct" else text
        first = sp["id"] not in mentioned
        if first:
            mentioned.add(sp["id"])
            if sp["organization"] or sp["anonymous"]:
                who = sp["ref"][0].upper() + sp["ref"][1:]
            else:
                who = f"{sp['role'][0].upper()}{sp['role'][1:]} {sp['name']}"
        else:
            who = sp["short"][0].upper() + sp["short"][1:]
        said_on = None
        when = ""
        if r.random() < 0.6:
            said_on = date - datetime.timedelta(days=r.randint(0, 3))
            when = f" on {date_label(said_on)}"
        if kind == "direct":
            verb = r.choice(VERBS_DIRECT)
            core = f"\"{text},\" {who} {verb}{when}."
        else:
            verb = r.choice(VERBS_REPORTED)
            core = f"{who} {verb}{when} that {text}."
        before = " ".join(g.sentence() for _ in range(r.randint(0, 2)))
        after = " ".join(g.sentence() for _ in range(r.randint(1, 3)))
        paragraphs.append(" ".join(x for x in (before, core, after) if x))
        sid = f"{sp['id']}-{date.isoformat()}-{slugify(' '.join(words[:4]))}-{i:06d}{j}"
        st = dict(id=sid, speaker=sp, kind=kind, verb=verb.split()[0], said_on=said_on,
                  text=text, note=None, relations=[])
        if r.random() < 0.12:
            st["note"] = "Editor's note: " + g.sentence() + " *" + " ".join(g.words(4)) + "*."
        if earlier_ids and r.random() < 0.06:
            rel = r.choice(["contradicts", "repeats", "clarifies", "responds_to"])
            st["relations"].append((rel, r.choice(earlier_ids)))
        statements.append(st)
    # Fill to the target length with plain paragraphs between the quoted ones.
    count = sum(len(p.split()) for p in paragraphs)
    while count < target_words:
        p = " ".join(g.sentence() for _ in range(r.randint(3, 5)))
        pos = r.randint(1, len(paragraphs))
        paragraphs.insert(pos, p)
        count += len(p.split())
    return dict(i=i, slug=slug, title=title, date=date, publication=publication,
                speakers=[s for s in cast if s["id"] in mentioned], statements=statements,
                paragraphs=paragraphs, author=None if r.random() < 0.5 else
                f"{r.choice(FIRST)} {r.choice(LAST)}", curly=r.random() < 0.5,
                tags=[r.choice(["politics", "diplomacy", "economy", "security", "elections"])])


# --------------------------------------------------------------------------- writers

def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)


def raw_text(a):
    """The article as copied from a news site: headline, byline, paragraphs."""
    lines = [a["title"], ""]
    if a["author"]:
        lines += [f"By {a['author']}", ""]
    for p in a["paragraphs"]:
        if a["curly"]:
            # Curly quotes: alternate open/close over the straight ones.
            out, open_ = [], True
            for ch in p:
                if ch == '"':
                    out.append("\u201c" if open_ else "\u201d")
                    open_ = not open_
                else:
                    out.append(ch)
            p = "".join(out)
        lines += [p, ""]
    lines.append("Sign up for our free weekly newsletter")
    return "\n".join(lines) + "\n"


def onrecord_article(a, source_name, source_hash):
    fm = ["---", f"title: {q(a['title'])}", f"publication: {q(a['publication'])}",
          "url: null", f"date: {a['date'].isoformat()}", "date_source: manifest",
          f"authors: [{q(a['author'])}]" if a["author"] else "authors: []",
          "tags: [" + ", ".join(q(t) for t in a["tags"]) + "]",
          "source:", f"  file: {source_name}", f"  sha256: {source_hash}", "speakers:"]
    for s in a["speakers"]:
        fm += [f"  - id: {s['id']}", f"    name: {q(s['name'])}",
               f"    role: {q(s['role']) if s['role'] else 'null'}"]
    fm.append("statements:")
    for st in a["statements"]:
        fm += [f"  - id: {st['id']}", f"    speaker: {st['speaker']['id']}",
               f"    kind: {st['kind']}", f"    verb: {st['verb']}",
               f"    said_on: {st['said_on'].isoformat() if st['said_on'] else 'null'}",
               f"    text: {q(st['text'])}"]
        if st["note"]:
            fm.append(f"    note: {q(st['note'])}")
        if st["relations"]:
            fm.append("    relations:")
            for rel, target in st["relations"]:
                fm.append(f"      - {rel}: {target}")
    fm.append("---")
    return "\n".join(fm) + "\n" + "\n\n".join(a["paragraphs"]) + "\n"


def onrecord_speaker(s, g):
    aliases = "[" + ", ".join(q(x) for x in s["aliases"]) + "]"
    role = q(s["role"]) if s["role"] else "null"
    bio = "" if s["anonymous"] else g.sentence() + " " + g.sentence() + "\n"
    return (f"---\nname: {q(s['name'])}\naliases: {aliases}\nrole: {role}\n"
            f"anonymous: {'true' if s['anonymous'] else 'false'}\n"
            f"organization: {'true' if s['organization'] else 'false'}\n---\n{bio}")


def site_toml(statement_pages, title="Synthetic archive"):
    return (f'title = "{title}"\nbase_url = "https://example.github.io/bench/"\n'
            'description = "A synthetic archive of public statements for benchmarks."\n'
            'language = "en"\noutput_dir = "public"\n'
            f"statement_pages = {'true' if statement_pages else 'false'}\n"
            # Search off: the peers' sites have no search index, so the pages compared
            # are the same. (bench/run.sh times the search index separately.)
            'share_images = false\nsearch = false\ncname = ""\n')


def hugo_article(a):
    fm = ["---", f"title: {q(a['title'])}", f"date: {a['date'].isoformat()}",
          f"slug: {q(a['slug'])}",
          "speakers: [" + ", ".join(q(s["name"]) for s in a["speakers"]) + "]",
          "params:", f"  publication: {q(a['publication'])}",
          f"  authors: [{q(a['author'])}]" if a["author"] else "  authors: []",
          "  tags_: [" + ", ".join(q(t) for t in a["tags"]) + "]",
          "  people:"]
    for s in a["speakers"]:
        n = sum(1 for st in a["statements"] if st["speaker"] is s)
        fm += [f"    - name: {q(s['name'])}", f"      slug: {s['id']}",
               f"      role: {q(s['role'] or '')}", f"      anonymous: {str(s['anonymous']).lower()}",
               f"      count: {n}"]
    fm.append("  statements:")
    for st in a["statements"]:
        fm += [f"    - id: {st['id']}", f"      speaker: {q(st['speaker']['name'])}",
               f"      slug: {st['speaker']['id']}",
               f"      role: {q(st['speaker']['role'] or '')}",
               f"      anonymous: {str(st['speaker']['anonymous']).lower()}",
               f"      kind: {st['kind']}", f"      verb: {st['verb']}",
               f"      said_on: {q(st['said_on'].isoformat() if st['said_on'] else '')}",
               f"      text: {q(st['text'])}",
               f"      note: {q(st['note'] or '')}"]
    fm.append("---")
    return "\n".join(fm) + "\n" + "\n\n".join(a["paragraphs"]) + "\n"


def zola_article(a):
    fm = ["+++", f"title = {q(a['title'])}", f"date = {a['date'].isoformat()}",
          f"slug = {q(a['slug'])}", "", "[taxonomies]",
          "speakers = [" + ", ".join(q(s["name"]) for s in a["speakers"]) + "]", "",
          "[extra]", f"publication = {q(a['publication'])}",
          f"authors = [{q(a['author'])}]" if a["author"] else "authors = []",
          "tags = [" + ", ".join(q(t) for t in a["tags"]) + "]"]
    for s in a["speakers"]:
        n = sum(1 for st in a["statements"] if st["speaker"] is s)
        fm += ["", "[[extra.people]]", f"name = {q(s['name'])}", f"slug = {q(s['id'])}",
               f"role = {q(s['role'] or '')}", f"anonymous = {str(s['anonymous']).lower()}",
               f"count = {n}"]
    for st in a["statements"]:
        fm += ["", "[[extra.statements]]", f"id = {q(st['id'])}",
               f"speaker = {q(st['speaker']['name'])}", f"slug = {q(st['speaker']['id'])}",
               f"role = {q(st['speaker']['role'] or '')}",
               f"anonymous = {str(st['speaker']['anonymous']).lower()}",
               f"kind = {q(st['kind'])}", f"verb = {q(st['verb'])}",
               f"said_on = {q(st['said_on'].isoformat() if st['said_on'] else '')}",
               f"text = {q(st['text'])}", f"note = {q(st['note'] or '')}"]
    fm.append("+++")
    return "\n".join(fm) + "\n" + "\n\n".join(a["paragraphs"]) + "\n"


def copy_tree(src, dst):
    """The site template (config, layouts, section pages) into the generated site."""
    shutil.copytree(src, dst, dirs_exist_ok=True)


def static_files(dest):
    """onrecord's own style sheet and script, so every site copies the same static files."""
    os.makedirs(dest, exist_ok=True)
    for name in ("style.css", "onrecord.js"):
        src = os.path.join(REPO, "static", name)
        if os.path.exists(src):
            shutil.copyfile(src, os.path.join(dest, name))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles", "-n", type=int, required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--speakers", type=int, default=300, help="size of the speaker pool")
    ap.add_argument("--statement-pages", default="true", choices=["true", "false"])
    ap.add_argument("--only", default="onrecord,import,hugo,zola",
                    help="comma-separated subset of onrecord,import,hugo,zola")
    args = ap.parse_args()
    only = set(args.only.split(","))

    g = Gen(args.seed)
    speakers = make_speakers(g, args.speakers)
    out = os.path.abspath(args.out)
    if os.path.isdir(out):
        shutil.rmtree(out)

    orr = os.path.join(out, "onrecord")
    imp = os.path.join(out, "import")
    hugo = os.path.join(out, "hugo")
    zola = os.path.join(out, "zola")

    meta = ["# Synthetic sources: publication and date of each raw article.", ""]
    earlier = []
    used_speakers = {}
    raw_bytes = 0
    for i in range(args.articles):
        a = make_article(g, i, speakers, earlier)
        earlier.extend(st["id"] for st in a["statements"])
        if len(earlier) > 2000:
            earlier = earlier[-2000:]
        for s in a["speakers"]:
            used_speakers[s["id"]] = s
        raw = raw_text(a)
        raw_b = raw.encode("utf-8")
        raw_bytes += len(raw_b)
        source_name = f"{i:06d}.txt"
        sha = hashlib.sha256(raw_b).hexdigest()
        if "import" in only:
            write(os.path.join(imp, "content", "sources", source_name), raw)
            meta += [f'["{source_name}"]', f"publication = {q(a['publication'])}",
                     f"date = {a['date'].isoformat()}", ""]
        if "onrecord" in only:
            write(os.path.join(orr, "content", "articles", a["slug"] + ".md"),
                  onrecord_article(a, source_name, sha))
        if "hugo" in only:
            write(os.path.join(hugo, "content", "articles", a["slug"] + ".md"), hugo_article(a))
        if "zola" in only:
            write(os.path.join(zola, "content", "articles", a["slug"] + ".md"), zola_article(a))

    if "onrecord" in only:
        write(os.path.join(orr, "site.toml"), site_toml(args.statement_pages == "true"))
        gs = Gen(args.seed + 1)
        for s in speakers:
            if s["id"] in used_speakers:
                write(os.path.join(orr, "content", "speakers", s["id"] + ".md"),
                      onrecord_speaker(s, gs))
    if "import" in only:
        write(os.path.join(imp, "site.toml"), site_toml(args.statement_pages == "true"))
        write(os.path.join(imp, "content", "sources", "metadata.toml"), "\n".join(meta))
        os.makedirs(os.path.join(imp, "content", "articles"), exist_ok=True)
        os.makedirs(os.path.join(imp, "content", "speakers"), exist_ok=True)
        write(os.path.join(out, "raw_bytes"), f"{raw_bytes}\n")
    if "hugo" in only:
        copy_tree(os.path.join(HERE, "hugo"), hugo)
        gs = Gen(args.seed + 1)
        for s in speakers:
            if s["id"] in used_speakers:
                bio = "" if s["anonymous"] else gs.sentence() + " " + gs.sentence() + "\n"
                write(os.path.join(hugo, "content", "speakers", s["id"], "_index.md"),
                      f"---\ntitle: {q(s['name'])}\nparams:\n  role: {q(s['role'] or '')}\n"
                      f"  anonymous: {str(s['anonymous']).lower()}\n"
                      f"  aliases_: [{', '.join(q(x) for x in s['aliases'])}]\n---\n{bio}")
        static_files(os.path.join(hugo, "static"))
    if "zola" in only:
        copy_tree(os.path.join(HERE, "zola"), zola)
        static_files(os.path.join(zola, "static"))
    print(f"wrote {args.articles} articles, {len(used_speakers)} speakers, "
          f"{raw_bytes / 1e6:.1f} MB of raw text into {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
