/* khabar — the web page's script. Everything works without it (the server
 * renders every page); it only adds:
 *   - "/" focuses the search box, Escape leaves it;
 *   - j / k move between results, Enter opens the current one;
 *   - search as you type: the results part of the page is fetched again
 *     (the same server-rendered HTML) a moment after typing stops.
 * No third-party code, no external requests. */
(function () {
  "use strict";
  var root = document.documentElement;
  root.setAttribute("data-js", "on");

  var input = document.getElementById("q");
  var main = document.getElementById("main");

  function typing(el) {
    return el && (el.tagName === "INPUT" || el.tagName === "TEXTAREA" || el.isContentEditable);
  }

  function hits() {
    return Array.prototype.slice.call(document.querySelectorAll(".hit"));
  }

  function move(step) {
    var list = hits();
    if (!list.length) return;
    var at = list.findIndex(function (h) { return h.classList.contains("current"); });
    if (at >= 0) list[at].classList.remove("current");
    at = Math.max(0, Math.min(list.length - 1, at + step));
    list[at].classList.add("current");
    var link = list[at].querySelector("h2 a");
    if (link) link.focus();
    list[at].scrollIntoView({ block: "nearest" });
  }

  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.key === "Escape" && document.activeElement === input) { input.blur(); return; }
    if (typing(document.activeElement)) return;
    if (e.key === "/" && input) { e.preventDefault(); input.focus(); input.select(); }
    else if (e.key === "j") move(1);
    else if (e.key === "k") move(-1);
  });

  /* Search as you type, on the results page only: replaces <main> with the
   * server's rendering of the new query, keeps the address bar in step. */
  if (!input || !main || location.pathname !== "/search" || !window.fetch || !window.DOMParser) return;
  var timer = 0, seq = 0, last = input.value;
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(refresh, 300);
  });

  function refresh() {
    var q = input.value.trim();
    if (q === last || q.length < 2) return;
    last = q;
    var params = new URLSearchParams(location.search);
    params.set("q", q);
    params.delete("offset");
    var url = "/search?" + params.toString();
    var mine = ++seq;
    fetch(url, { headers: { "Accept": "text/html" } })
      .then(function (r) { return r.text(); })
      .then(function (html) {
        if (mine !== seq) return;
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.getElementById("main");
        if (!fresh) return;
        main.innerHTML = fresh.innerHTML;
        document.title = doc.title;
        history.replaceState(null, "", url);
      })
      .catch(function () {
        /* The form still works: Enter submits it the ordinary way. */
      });
  }
})();
