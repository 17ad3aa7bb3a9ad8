/* onrecord: the search page (templates/search.html). Searches the static index that
   `onrecord build` writes to search-index/ (src/search.rs describes its files; nothing
   comes from the network beyond the site), reads the query from the address
   (?q=&type=&kind=&speaker=&sort=), shows ten results at a time, and keeps the address in
   step with the form so a search can be linked to and goes back and forward with the
   browser. Results link to a statement's place in its article (articles/SLUG/#ID), a
   speaker's page or an article, relative to the site's root, so they work under any base
   path. Every piece of text is inserted as text, never as HTML. */
(function () {
  "use strict";

  var form = document.getElementById("search-form");
  if (!form) return;
  var root = form.getAttribute("data-root") || "./";
  var input = form.elements.q;
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var more = document.getElementById("search-more");
  var speakerBox = document.getElementById("search-speaker");
  var speakerName = document.getElementById("search-speaker-name");
  var PAGE = 10;
  var FIELDS = ["q", "type", "kind", "speaker", "sort"];
  var FORMAT = 1;          // the index format this script reads (src/search.rs, FORMAT)
  var EXCERPT_WORDS = 28;

  var files = {};         // index file name -> promise of its JSON
  var generation = 0;     // the latest search; older answers are dropped
  var results = [];       // record ids, in the order shown
  var queryWords = [];    // the query's terms, for excerpts
  var shown = 0;

  /* A file of the index, fetched once. */
  function load(name) {
    if (!files[name]) {
      // Resolve against the page, not this script: the index sits at the site's root.
      var url = new URL(root + "search-index/" + name, document.baseURI).href;
      files[name] = fetch(url).then(function (response) {
        if (!response.ok) throw new Error(name + ": HTTP " + response.status);
        return response.json();
      });
      files[name].catch(function () { delete files[name]; });
    }
    return files[name];
  }

  function loadMeta() {
    return load("meta.json").then(function (meta) {
      if (meta.format !== FORMAT) throw new Error("unknown index format " + meta.format);
      return meta;
    });
  }

  /* Terms as src/search.rs makes them (`for_each_term`, `fold`): runs of letters, digits
     and marks; decomposed, marks dropped, lower-cased. */
  var WORD = /[\p{Alphabetic}\p{N}\p{M}]+/gu;
  var WORDS = /([\p{Alphabetic}\p{N}\p{M}]+)/u;
  var MARKS = /\p{M}/gu;

  function fold(word) {
    return word.normalize("NFD").replace(MARKS, "").toLowerCase();
  }

  function termsOf(text) {
    var out = [];
    (text.match(WORD) || []).forEach(function (word) {
      var term = fold(word);
      if (term && out.indexOf(term) < 0) out.push(term);
    });
    return out;
  }

  /* The shard of a term: FNV-1a (32 bits) of the UTF-8 of its first key_chars characters
     (src/search.rs, `shard_of`). */
  function shardOf(term, meta) {
    var key = Array.from(term).slice(0, meta.key_chars).join("");
    var hash = 0x811c9dc5;
    new TextEncoder().encode(key).forEach(function (byte) {
      hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
    });
    return hash % meta.shards;
  }

  /* Gap-encoded ids (the first, then differences) as ids. */
  function ids(gaps) {
    var out = new Array(gaps.length);
    var id = 0;
    for (var i = 0; i < gaps.length; i++) {
      id += gaps[i];
      out[i] = id;
    }
    return out;
  }

  function own(object, key) {
    return Object.prototype.hasOwnProperty.call(object, key);
  }

  /* Whether a term of the index answers a query word: a word of key_chars characters or
     more finds the terms it begins, a shorter one itself only. */
  function answers(term, word, meta) {
    if (Array.from(word).length < meta.key_chars) return term === word;
    return term.slice(0, word.length) === word;
  }

  /* For one query word: record id -> score. Rarer terms weigh more; the word itself more
     than longer words it begins; a term in a record's title twice as much. */
  function scores(word, meta) {
    return load("terms/" + shardOf(word, meta) + ".json").then(function (shard) {
      var out = new Map();
      function note(list, weight) {
        ids(list).forEach(function (id) {
          if (!(out.get(id) >= weight)) out.set(id, weight);
        });
      }
      Object.keys(shard).forEach(function (term) {
        if (!answers(term, word, meta)) return;
        var lists = shard[term];
        var weight = Math.log(1 + meta.records / lists[0].length) * (term === word ? 1 : 0.5);
        note(lists[0], weight);
        note(lists[1], 2 * weight);
      });
      return out;
    });
  }

  /* The ids the chosen filters allow, or null for all. */
  function allowed(filters, meta) {
    var names = Object.keys(filters);
    if (!names.length) return Promise.resolve(null);
    return Promise.all(names.map(function (name) {
      if (meta.filters.indexOf(name) < 0) return Promise.resolve(new Set());
      return load("filters/" + name + ".json").then(function (values) {
        return new Set(own(values, filters[name]) ? ids(values[filters[name]]) : []);
      });
    })).then(function (sets) {
      return sets.reduce(function (a, b) {
        return new Set(Array.from(a).filter(function (id) { return b.has(id); }));
      });
    });
  }

  /* Ids with every word (and allowed), best first or by date. Ids run by date, oldest
     first; those from meta.dated on have no date and come last either way. */
  function rank(perWord, allow, order, meta) {
    perWord.sort(function (a, b) { return a.size - b.size; });
    var found = [];
    perWord[0].forEach(function (score, id) {
      if (allow && !allow.has(id)) return;
      for (var i = 1; i < perWord.length; i++) {
        var more = perWord[i].get(id);
        if (more === undefined) return;
        score += more;
      }
      found.push({ id: id, score: score });
    });
    var undated = function (r) { return r.id >= meta.dated ? 1 : 0; };
    found.sort(function (a, b) {
      if (order === "newest") return undated(a) - undated(b) || b.id - a.id;
      if (order === "oldest") return undated(a) - undated(b) || a.id - b.id;
      return b.score - a.score || b.id - a.id;
    });
    return found.map(function (r) { return r.id; });
  }

  /* The record with id `id` (its chunk holds the ids from meta.chunks[n]). */
  function record(id, meta) {
    var lo = 0;
    var hi = meta.chunks.length - 1;
    while (lo < hi) {
      var mid = (lo + hi + 1) >> 1;
      if (meta.chunks[mid] <= id) lo = mid;
      else hi = mid - 1;
    }
    return load("records/" + lo + ".json").then(function (chunk) {
      return chunk[id - meta.chunks[lo]];
    });
  }

  function fromAddress() {
    var params = new URLSearchParams(window.location.search);
    FIELDS.forEach(function (name) {
      var field = form.elements[name];
      if (field) field.value = params.get(name) || "";
      if (field && field.tagName === "SELECT" && field.selectedIndex < 0) field.value = "";
    });
    showSpeaker(params.get("speaker") || "", null);
  }

  function toAddress(push) {
    var params = new URLSearchParams();
    FIELDS.forEach(function (name) {
      var field = form.elements[name];
      var value = field ? field.value.trim() : "";
      if (value) params.set(name, value);
    });
    var query = params.toString();
    var url = window.location.pathname + (query ? "?" + query : "");
    if (url === window.location.pathname + window.location.search) return;
    if (push) window.history.pushState(null, "", url);
    else window.history.replaceState(null, "", url);
  }

  function showSpeaker(id, name) {
    speakerBox.hidden = !id;
    if (!id) {
      speakerName.textContent = "";
      return;
    }
    if (name || !speakerName.textContent) speakerName.textContent = name || id;
  }

  function say(text) {
    status.textContent = text;
  }

  function search() {
    var query = input.value.trim();
    var mine = ++generation;
    results = [];
    shown = 0;
    list.textContent = "";
    more.hidden = true;
    if (!query) {
      say("");
      return;
    }
    var filters = {};
    ["type", "kind", "speaker"].forEach(function (name) {
      var value = form.elements[name].value;
      if (value) filters[name] = value;
    });
    var order = form.elements.sort.value;
    var queryTerms = termsOf(query);
    say("Searching\u2026");
    loadMeta()
      .then(function (meta) {
        if (!queryTerms.length) return [];
        return Promise.all([
          Promise.all(queryTerms.map(function (word) { return scores(word, meta); })),
          allowed(filters, meta)
        ]).then(function (found) { return rank(found[0], found[1], order, meta); });
      })
      .then(function (found) {
        if (mine !== generation) return;
        results = found;
        queryWords = queryTerms;
        var n = results.length;
        say(n === 0
          ? "Nothing found for \u201c" + query + "\u201d."
          : n + (n === 1 ? " result" : " results") + " for \u201c" + query + "\u201d.");
        return showMore(mine);
      })
      .catch(function (error) {
        if (mine !== generation) return;
        var local = window.location.protocol === "file:";
        say(local
          ? "Search works only when the site is served over http, for example by `onrecord serve`."
          : "Search could not be loaded (" + (error && error.message ? error.message : error) + ").");
      });
  }

  function showMore(mine) {
    var batch = results.slice(shown, shown + PAGE);
    shown += batch.length;
    more.hidden = true;
    var index = null;
    return loadMeta().then(function (meta) {
      index = meta;
      return Promise.all(batch.map(function (id) { return record(id, meta); }));
    }).then(function (items) {
      if (mine !== generation) return;
      items.forEach(function (data) { if (data) list.appendChild(render(data, index)); });
      more.hidden = shown >= results.length;
      var first = items[0];
      if (form.elements.speaker.value && first && first.meta && first.meta.speaker) {
        showSpeaker(form.elements.speaker.value, first.meta.speaker);
      }
    });
  }

  /* A link inside the site: the record's site-relative URL from this page's root. */
  function href(url) {
    if (/^([a-z][a-z0-9+.-]*:|\/)/i.test(url)) return "#";
    return root + url;
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  function link(url, className, text) {
    var a = el("a", className, text);
    a.href = href(url);
    return a;
  }

  /* EXCERPT_WORDS words of `text`, where most of the query's words are (the first such
     place), those words marked. */
  function excerpt(text, meta) {
    var p = el("p", "search-result-excerpt");
    // Words at odd places, what is between them at even ones: word k is pieces[2k + 1].
    var pieces = text.split(WORDS);
    var n = (pieces.length - 1) / 2;
    var hits = [];
    for (var k = 0; k < n; k++) {
      var term = fold(pieces[2 * k + 1]);
      hits.push(term !== "" && queryWords.some(function (w) { return answers(term, w, meta); }));
    }
    var best = 0;
    var most = -1;
    var count = 0;
    for (k = 0; k < n; k++) {
      count += hits[k] ? 1 : 0;
      if (k >= EXCERPT_WORDS && hits[k - EXCERPT_WORDS]) count -= 1;
      if (count > most) {
        most = count;
        best = Math.max(0, k - EXCERPT_WORDS + 1);
      }
    }
    var last = Math.min(n, best + EXCERPT_WORDS) - 1;
    if (best > 0) p.appendChild(document.createTextNode("\u2026 "));
    for (k = best; k <= last; k++) {
      var word = pieces[2 * k + 1];
      p.appendChild(hits[k] ? el("mark", "", word) : document.createTextNode(word));
      if (k < last || last === n - 1) p.appendChild(document.createTextNode(pieces[2 * k + 2]));
    }
    if (last < n - 1) p.appendChild(document.createTextNode(" \u2026"));
    return p;
  }

  function render(data, index) {
    var meta = data.meta || {};
    var type = meta.type || "page";
    var li = el("li", "search-result search-result-" + type);
    var head = el("p", "search-result-head");
    li.appendChild(head);
    if (type === "statement") {
      var direct = meta.kind === "direct";
      li.className += direct ? " is-direct" : " is-reported";
      head.appendChild(link(meta.speaker_url || "", "entry-speaker", meta.speaker || ""));
      if (meta.role) head.appendChild(el("span", "entry-role", meta.role));
      if (meta.verb) head.appendChild(el("span", "tag verb", meta.verb));
      if (!direct) head.appendChild(el("span", "tag tag-reported", "reported"));
      if (meta.date) head.appendChild(el("time", "", meta.date));
      var words = meta.words || meta.title || "";
      li.appendChild(link(data.url, "search-result-title",
        direct ? "\u201c" + words + "\u201d" : words));
      var source = el("p", "search-result-source", "In ");
      source.appendChild(link(meta.article_url || "", "", meta.article || ""));
      if (meta.publication) {
        source.appendChild(document.createTextNode(", "));
        source.appendChild(el("span", "publication", meta.publication));
      }
      li.appendChild(source);
    } else {
      head.appendChild(el("span", "tag", type === "speaker" ? "speaker" : "article"));
      if (meta.role) head.appendChild(el("span", "entry-role", meta.role));
      if (meta.publication) head.appendChild(el("span", "publication", meta.publication));
      if (meta.date) head.appendChild(el("time", "", meta.date));
      li.appendChild(link(data.url || "", "search-result-title", meta.title || data.url || ""));
      if (data.text) li.appendChild(excerpt(data.text, index));
    }
    return li;
  }

  var timer = null;
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    clearTimeout(timer);
    toAddress(true);
    search();
  });
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      toAddress(false);
      search();
    }, 250);
  });
  form.addEventListener("change", function (event) {
    if (event.target === input) return;
    toAddress(true);
    search();
  });
  document.getElementById("search-speaker-clear").addEventListener("click", function () {
    form.elements.speaker.value = "";
    showSpeaker("", null);
    toAddress(true);
    search();
  });
  more.addEventListener("click", function () {
    showMore(generation);
  });
  window.addEventListener("popstate", function () {
    fromAddress();
    search();
  });

  // Start fetching the index while the reader types.
  input.addEventListener("focus", function () { loadMeta().catch(function () {}); }, { once: true });
  fromAddress();
  if (input.value) {
    search();
  } else {
    input.focus();
  }
})();
