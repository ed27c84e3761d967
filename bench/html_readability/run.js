// run.js — Mozilla Readability over saved pages, for bench/html_eval.py.
// usage: node run.js ROUNDS REPEATS FILE...   (prints one JSON line per
// page, then {"seconds": S, "pages": N}: the CPU seconds of the best of
// REPEATS timings of ROUNDS passes over all files, parse time only: reading
// the files and starting node are left out).
'use strict';
const fs = require('fs');
const { JSDOM } = require('jsdom');
const { Readability } = require('@mozilla/readability');

const BLOCKS = new Set(['P', 'DIV', 'LI', 'H1', 'H2', 'H3', 'H4', 'H5', 'H6', 'TR', 'BLOCKQUOTE', 'PRE',
  'SECTION', 'ARTICLE', 'TABLE', 'UL', 'OL', 'FIGCAPTION', 'FIGURE', 'BR', 'TD', 'TH', 'DD', 'DT']);

// The article's text with a line break at each block boundary: the fairest
// reading of Readability's output (its textContent glues paragraphs).
function blockText(node, out) {
  for (const c of node.childNodes) {
    if (c.nodeType === 3) out.push(c.nodeValue);
    else if (c.nodeType === 1) {
      const block = BLOCKS.has(c.tagName);
      if (block) out.push('\n');
      blockText(c, out);
      if (block) out.push('\n');
    }
  }
  return out;
}

function extract(html, url) {
  const dom = new JSDOM(html, { url: url || 'https://example.org/' });
  const art = new Readability(dom.window.document).parse();
  if (!art) return { title: null, byline: null, published: null, text: '' };
  const holder = new JSDOM('<body>' + art.content + '</body>').window.document.body;
  return { title: art.title || null, byline: art.byline || null, published: art.publishedTime || null,
           text: blockText(holder, []).join(''), text_content: art.textContent || '' };
}

const rounds = parseInt(process.argv[2], 10) || 1;
const repeats = parseInt(process.argv[3], 10) || 1;
const files = process.argv.slice(4);
// Pages are decoded as a browser would be told: by their declared charset
// (jsdom itself is given bytes through JSDOM's own sniffing).
const pages = files.map(f => fs.readFileSync(f));
for (let i = 0; i < files.length; i++) {
  const r = extract(pages[i]);
  r.file = files[i];
  console.log(JSON.stringify(r));
}
let best = Infinity, n = 0;
for (let r = 0; r < repeats; r++) {
  const t0 = process.cpuUsage();
  n = 0;
  for (let k = 0; k < rounds; k++) for (const p of pages) { extract(p); n++; }
  const d = process.cpuUsage(t0);
  best = Math.min(best, (d.user + d.system) / 1e6);
}
console.log(JSON.stringify({ seconds: best, pages: n }));
