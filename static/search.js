/* onrecord: the search page (templates/search.html). Loads the Pagefind bundle that
   `onrecord build` writes to pagefind/ (nothing from the network), reads the query from
   the address (?q=&type=&kind=&speaker=&sort=), shows ten results at a time, and keeps
   the address in step with the form so a search can be linked to and goes back and
   forward with the browser. Results link to a statement's place in its article
   (articles/SLUG/#ID), a speaker's page or an article, relative to the site's root, so
   they work under any base path. Every piece of text is inserted as text, never as HTML;
   only Pagefind's <mark> highlighting is turned into elements. */
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

  var loading = null;   // the Pagefind module, once asked for
  var generation = 0;   // the latest search; older answers are dropped
  var results = [];
  var shown = 0;

  function pagefind() {
    if (!loading) {
      // Resolve against the page, not this script: the bundle sits at the site's root.
      var url = new URL(root + "pagefind/pagefind.js", document.baseURI).href;
      loading = import(url).then(function (pf) {
        // On the main thread: a query reads a few small files, and this saves fetching
        // the worker's script (43 kB).
        return Promise.resolve(pf.options({ excerptLength: 28, noWorker: true })).then(function () {
          pf.init();
          return pf;
        });
      });
    }
    return loading;
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
    var options = { filters: filters };
    var order = form.elements.sort.value;
    if (order === "newest") options.sort = { date: "desc" };
    if (order === "oldest") options.sort = { date: "asc" };
    say("Searching\u2026");
    pagefind()
      .then(function (pf) { return pf.search(query, options); })
      .then(function (found) {
        if (mine !== generation || !found) return;
        results = found.results;
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
    return Promise.all(batch.map(function (r) { return r.data(); })).then(function (items) {
      if (mine !== generation) return;
      items.forEach(function (data) { list.appendChild(render(data)); });
      more.hidden = shown >= results.length;
      if (form.elements.speaker.value && items.length && items[0].meta.speaker) {
        showSpeaker(form.elements.speaker.value, items[0].meta.speaker);
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

  /* Pagefind's excerpt is text with <mark> around the words found (and < > escaped). */
  function excerpt(html) {
    var p = el("p", "search-result-excerpt");
    var marked = false;
    html.split(/(<mark>|<\/mark>)/).forEach(function (piece) {
      if (piece === "<mark>") { marked = true; return; }
      if (piece === "</mark>") { marked = false; return; }
      if (!piece) return;
      var text = piece.replace(/&lt;/g, "<").replace(/&gt;/g, ">");
      p.appendChild(marked ? el("mark", "", text) : document.createTextNode(text));
    });
    return p;
  }

  function render(data) {
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
      li.appendChild(link(data.raw_url || data.url, "search-result-title",
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
      li.appendChild(link(data.raw_url || data.url, "search-result-title", meta.title || data.raw_url));
      if (data.excerpt) li.appendChild(excerpt(data.excerpt));
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
  input.addEventListener("focus", function () { pagefind().catch(function () {}); }, { once: true });
  fromAddress();
  if (input.value) {
    search();
  } else {
    input.focus();
  }
})();
