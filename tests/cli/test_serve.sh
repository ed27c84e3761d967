#!/bin/bash
# test_serve.sh — khabar serve: the JSON API, its errors and limits, writes,
# following new commits, and a clean stop (docs/api.md).
set -u
K=${KHABAR:?KHABAR must name the khabar binary}
SRC=${KH_SOURCE_DIR:?}
DATA=$SRC/tests/data/index
if ! command -v curl >/dev/null; then
  echo "SKIP: curl is not installed (scripts/test-packages.txt)"
  exit 77
fi
T=$(mktemp -d)
source "$SRC/tests/cli/serve_lib.sh"
trap 'stop_servers; rm -rf "$T"' EXIT
fails=0
checks=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
expect_eq() { checks=$((checks + 1)); [ "$1" = "$2" ] || fail "$3: got '$1', want '$2'"; }
expect_body() { checks=$((checks + 1)); grep -q -- "$1" "$T/body" || fail "$2: /$1/ not in $(head -c 400 "$T/body")"; }
# expect_error STATUS CODE DETAIL-PATTERN WHAT — a JSON error response
expect_error() {
  expect_eq "$CODE" "$1" "$4: status"
  expect_eq "$(header Content-Type)" "application/json; charset=utf-8" "$4: content type"
  expect_body "^{\"error\":\"$2\",\"detail\":\"$3" "$4: error body"
}
urls() { grep -o '"url":"[^"]*"' "$T/body" | sed 's/"url":"http:\/\/example.com\/news\///; s/"//' | tr '\n' ' '; }

"$K" ingest --index "$T/ix" --quiet "$DATA/feed" || fail "ingest"
start_server ro --index "$T/ix" --threads 4
U=$URL_ro

# ---- health, stats, sources ------------------------------------------------
req GET "$U/healthz"
expect_eq "$CODE" 200 "healthz"
expect_eq "$(header Content-Type)" "application/json; charset=utf-8" "healthz content type"
expect_body '^{"status":"ok","generation":[0-9]*,"articles":5}$' "healthz body"
req GET "$U/api/stats"
expect_body '"articles":5,"deleted":0,' "stats"
expect_body '"writes":false}' "stats: writes off"
req GET "$U/api/sources"
expect_body '^{"sources":\[{"value":"alriyadh","count":2},{"value":"sabq","count":2},{"value":"aawsat","count":1}\],"articles":5}$' "sources"

# ---- search ----------------------------------------------------------------
req GET "$U/api/search?q=$(enc 'أسعار النفط')"
expect_eq "$CODE" 200 "search"
expect_eq "$(header Content-Type)" "application/json; charset=utf-8" "search content type"
expect_body '^{"total":2,"total_exact":true,"offset":0,"limit":10,"took_ms":[0-9.]*,"hits":\[{"id":"' "search head"
expect_eq "$(urls)" "1 2 " "ranking"
expect_body '"facets":{"source":\[{"value":"aawsat","count":1},{"value":"alriyadh","count":1}\],"day":\[{"value":"2015-07-21","count":1},{"value":"2015-07-22","count":1}\]}' "facets"
expect_body '"snippet_html":"ارتفعت <mark>أسعار النفط</mark> اليوم' "snippet_html marks the matches, adjacent ones as one"
expect_body '"highlights":\[\[' "highlights"
req GET "$U/api/search?q=$(enc 'النفط OR الهلال')&sort=date"
expect_eq "$(urls)" "3 2 1 " "sort=date"
req GET "$U/api/search?q=$(enc 'النفط OR الهلال')&sort=date&limit=1&offset=1"
expect_eq "$(urls)" "2 " "limit+offset"
expect_body '"total":3,' "paging keeps the total"
req GET "$U/api/search?q=$(enc 'النفط OR مجلس')&sort=date&from=2015-07-22&to=2015-07-25"
expect_eq "$(urls)" "4 2 " "from/to"
req GET "$U/api/search?q=$(enc 'الوزراء')&source=sabq"
expect_body '"total":2,' "source"
req GET "$U/api/search?q=$(enc 'النفط')&author=$(enc 'رنيم حنوش')"
expect_eq "$(urls)" "1 " "author"
req GET "$U/api/search?author=$(enc 'محمد العلي')"
expect_eq "$(urls)" "3 " "author alone"
req GET "$U/api/search?q=$(enc 'النفط OR الهلال')&facets=0&limit=1"
expect_body '"facets":{"source":\[\],"day":\[\]}' "facets=0: no facets"
expect_eq "$(urls | wc -w)" 1 "facets=0: hits"
req GET "$U/api/search?q=$(enc 'النفط')&snippets=0"
expect_body '"snippet":null,"highlights":\[\],"partial":false,"snippet_html":null}' "snippets=0: no snippet"
expect_eq "$(urls)" "$(req GET "$U/api/search?q=$(enc 'النفط')"; urls)" "snippets=0: the same hits"
req GET "$U/api/search?q=x&snippets=no"
expect_error 400 bad_request "snippets must be 1 or 0, not 'no'" "snippets=no"
req GET "$U/api/search?q=$(enc 'النفط الهلال')"
expect_body '^{"total":0,' "no article holds both words"
expect_body '"partial":true' "the page is completed with partial matches"
checks=$((checks + 1)); grep -q '"partial":false' "$T/body" && fail "only partial hits expected"
req GET "$U/api/search?q=$(enc 'النفط الهلال')&strict=1"
expect_body '^{"total":0,"total_exact":true,"offset":0,"limit":10,"took_ms":[0-9.]*,"hits":\[\]' "strict=1: no partial matches"
req GET "$U/api/search?q=x&strict=2"
expect_error 400 bad_request "strict must be 1 or 0, not '2'" "strict=2"
req GET "$U/search?q=$(enc 'النفط الهلال')"
expect_body '<p class="count" role="status">لا يوجد خبر يضم كل الكلمات</p>' "page: no full match"
expect_body '<h2 id="partial-title" class="section-title">أخبار تضم بعض كلمات البحث فقط</h2>' "page: partial matches apart"
req GET "$U/api/search?q=x&facets=maybe"
expect_error 400 bad_request "facets must be 1 or 0, not 'maybe'" "facets=maybe"
req GET "$U/api/search?q=$(enc 'في من')"
expect_body '"note":"the query holds only stopwords' "stopword note"
req GET "$U/api/search?q=$(enc 'كلمةغيرموجودة')"
expect_eq "$CODE" 200 "no match is not an error"
expect_body '^{"total":0,' "no match"
curl -s -I "$U/api/search?q=$(enc 'النفط')" >"$T/head"
expect_eq "$(head -n 1 "$T/head" | tr -d '\r')" "HTTP/1.1 200 OK" "HEAD"
checks=$((checks + 1)); grep -q '{' "$T/head" && fail "HEAD has a body"

# ---- 400: malformed parameters, each with a detail that says why ---------------
req GET "$U/api/search?q=x&limit=abc"
expect_error 400 bad_request "limit must be a whole number from 1 to 100, not 'abc'" "limit=abc"
req GET "$U/api/search?q=x&limit=0"
expect_error 400 bad_request "limit must be" "limit=0"
req GET "$U/api/search?q=x&limit=101"
expect_error 400 bad_request "limit must be" "limit=101"
req GET "$U/api/search?q=x&offset=-1"
expect_error 400 bad_request "offset must be a whole number from 0 to 10000, not '-1'" "offset=-1"
req GET "$U/api/search?q=x&sort=oldest"
expect_error 400 bad_request "sort must be 'relevance' or 'date', not 'oldest'" "sort"
req GET "$U/api/search?q=x&from=2015-02-30"
expect_error 400 bad_request "from must be a day written YYYY-MM-DD, not '2015-02-30'" "from: no such day"
req GET "$U/api/search?q=x&from=2015-08-01&to=2015-07-01"
expect_error 400 bad_request "from (2015-08-01) is after to (2015-07-01)" "from after to"
req GET "$U/api/search?q=x&limt=5"
expect_error 400 bad_request "unknown parameter 'limt'" "unknown parameter"
req GET "$U/api/search?q=x&limit=5&limit=500"
expect_error 400 bad_request "parameter 'limit' is given twice" "duplicate parameter"
req GET "$U/api/search?q=%zz"
expect_error 400 bad_request "parameter 'q': malformed percent-escape at byte 0" "bad percent-escape"
req GET "$U/api/search?q=%ff%fe"
expect_error 400 bad_request "parameter 'q': not valid UTF-8" "invalid UTF-8"
req GET "$U/api/search?q=a%00b"
expect_error 400 bad_request "parameter 'q': a NUL byte is not allowed" "NUL byte"
req GET "$U/api/search"
expect_error 400 bad_request "q is missing" "no q"
req GET "$U/api/search?q=$(enc '(النفط')"
expect_error 400 bad_request "query: the parenthesis at byte 0 is never closed" "query parse error"
req GET "$U/api/search?q=$(head -c 5000 /dev/zero | tr '\0' a)"
expect_error 400 bad_request "q is 5000 bytes, over the limit of 4096" "q too long"

# ---- articles ---------------------------------------------------------------
req GET "$U/api/search?q=$(enc 'الهلال')"
id=$(grep -o '"id":"[^"]*"' "$T/body" | head -n 1 | cut -d'"' -f4)
req GET "$U/api/articles/$id"
expect_eq "$CODE" 200 "article by id"
expect_body "^{\"id\":\"$id\",\"source\":\"alriyadh\",\"url\":\"http://example.com/news/3\",\"title\":\"الهلال يفوز على النصر\"" "article json"
req GET "$U/api/articles/$(enc 'http://example.com/news/3')"
expect_body "^{\"id\":\"$id\"," "article by url (percent-encoded)"
req GET "$U/article/$id" -H "Referer: http://127.0.0.1:1/search?q=%D8%A7&sort=date"
expect_body '<p class="back"><a href="/search?q=%D8%A7&amp;sort=date">' "article page links back to the results"
req GET "$U/article/$id" -H "Referer: https://evil.example/phish?x"
checks=$((checks + 1)); grep -q 'class="back"' "$T/body" && fail "a foreign Referer must not give a back link"
req GET "$U/article/$(enc 'http://example.com/news/1')"
expect_body '<h2 id="related-title" class="section-title">أخبار ذات صلة</h2>' "article page: related articles"
expect_body '">الاقتصاد السعودي ينمو</a>' "related: an article sharing the headline's words"
checks=$((checks + 1)); grep -q '">ارتفاع أسعار النفط في الأسواق العالمية</a><span' "$T/body" && fail "related lists the article itself"
req GET "$U/api/articles/0000000000000000"
expect_error 404 not_found "no article has this id or url" "unknown article"

# ---- 404, 405: paths and methods; nothing outside the embedded assets ------------
req GET "$U/api/nothing"
expect_error 404 not_found "no such path" "unknown API path"
req GET "$U/api/search/"
expect_error 404 not_found "no such path" "trailing slash"
req GET "$U/static/../../../../etc/passwd"
expect_eq "$CODE" 404 "path traversal"
checks=$((checks + 1)); grep -q 'root:' "$T/body" && fail "path traversal read a file"
req GET "$U/static/%2e%2e%2f%2e%2e%2fCMakeLists.txt"
expect_eq "$CODE" 404 "encoded path traversal"
req GET "$U/static/app.css"
expect_eq "$CODE" 200 "asset"
expect_eq "$(header Content-Type)" "text/css; charset=utf-8" "css content type"
req GET "$U/static/app.js"
expect_eq "$(header Content-Type)" "text/javascript; charset=utf-8" "js content type"
req GET "$U/nowhere"
expect_eq "$CODE" 404 "unknown page"
expect_eq "$(header Content-Type)" "text/html; charset=utf-8" "404 page content type"
req DELETE "$U/api/search?q=x"
expect_error 405 method_not_allowed "DELETE is not allowed here (allowed: GET, HEAD)" "DELETE"
expect_eq "$(header Allow)" "GET, HEAD" "Allow header"
req GET "$U/api/articles"
expect_error 405 method_not_allowed "GET is not allowed here (allowed: POST)" "GET /api/articles"
expect_eq "$(header Allow)" "POST" "Allow: POST"
req POST "$U/api/search?q=x" --data 'x'
expect_eq "$CODE" 405 "POST to search"

# ---- writes are off without --write-token-file ---------------------------------
req POST "$U/api/articles" -H 'Content-Type: application/json' --data '{"title":"x"}'
expect_error 403 forbidden "writes are off" "writes off"

# ---- writes with a token: 401, 413, 415, 400, 201; the new article is searchable --
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$T/token"
echo >>"$T/token"
start_server rw --index "$T/ix" --write-token-file "$T/token" --max-body 4096
W=$URL_rw
TOKEN=$(head -n 1 "$T/token")
art='{"source":"wam","url":"http://example.com/news/6","date_extracted":"2015-08-02 09:00:00","title":"افتتاح معرض الكتاب في أبوظبي","content":"افتتح اليوم معرض الكتاب الدولي بمشاركة ألف دار نشر."}'
req POST "$W/api/articles" -H 'Content-Type: application/json' --data "$art"
expect_error 401 unauthorized "send the write token" "no token"
expect_eq "$(header WWW-Authenticate)" 'Bearer realm="khabar"' "WWW-Authenticate"
req POST "$W/api/articles" -H 'Content-Type: application/json' -H "Authorization: Bearer ${TOKEN}x" --data "$art"
expect_error 401 unauthorized "send the write token" "wrong token"
head -c 5000 /dev/zero | tr '\0' a >"$T/big"
req POST "$W/api/articles" -H 'Content-Type: text/plain' -H "Authorization: Bearer $TOKEN" --data-binary "@$T/big"
expect_error 413 payload_too_large "the body is over the limit of 4096 bytes" "body too large"
req POST "$W/api/articles" -H 'Content-Type: text/plain' -H "Authorization: Bearer $TOKEN" -H 'Transfer-Encoding: chunked' --data-binary "@$T/big"
expect_error 413 payload_too_large "the body is over the limit of 4096 bytes" "chunked body too large"
req POST "$W/api/articles" -H 'Content-Type: image/png' -H "Authorization: Bearer $TOKEN" --data 'x'
expect_error 415 unsupported_media_type "send application/json" "wrong content type"
req POST "$W/api/articles" -H 'Content-Type: application/json' -H "Authorization: Bearer $TOKEN" --data '{"title": '
expect_eq "$CODE" 400 "malformed JSON"
req POST "$W/api/articles" -H 'Content-Type: application/json' -H "Authorization: Bearer $TOKEN" --data "$art"
expect_eq "$CODE" 201 "POST article"
expect_body '^{"added":1,"generation":[0-9]*,"ids":\["' "POST response"
req GET "$W/api/search?q=$(enc 'معرض الكتاب')"
expect_eq "$(urls)" "6 " "the posted article is found at once"
req GET "$U/api/search?q=$(enc 'معرض الكتاب')"
for _ in $(seq 1 40); do [ "$(urls)" = "6 " ] && break; sleep 0.05; req GET "$U/api/search?q=$(enc 'معرض الكتاب')"; done
expect_eq "$(urls)" "6 " "the other server follows the commit"
printf 'صحيفة التجربة\nتجربة نشر صفحة نصية عبر الواجهة\nنشر في: 3 أغسطس 2015\n\nهذه فقرة أولى من صفحة نصية أرسلت عبر واجهة البرمجة.\n' >"$T/page.txt"
req POST "$W/api/articles?url=$(enc 'http://example.com/news/7')" -H 'Content-Type: text/plain; charset=utf-8' -H "Authorization: Bearer $TOKEN" --data-binary "@$T/page.txt"
expect_eq "$CODE" 201 "POST a text page"
req GET "$W/api/articles/$(enc 'http://example.com/news/7')"
expect_eq "$CODE" 200 "the text page is stored under its url"

# ---- an ingest beside the server shows up without a restart ------------------------
printf '%s\n' '{"source":"okaz","url":"http://example.com/news/8","date_extracted":"2015-08-03 10:00:00","title":"سباق الهجن في الطائف","content":"انطلق سباق الهجن السنوي في الطائف."}' >"$T/more.jsonl"
"$K" ingest --index "$T/ix" --quiet "$T/more.jsonl" || fail "ingest beside the server"
req GET "$U/api/search?q=$(enc 'الهجن')"
for _ in $(seq 1 40); do [ "$(urls)" = "8 " ] && break; sleep 0.05; req GET "$U/api/search?q=$(enc 'الهجن')"; done
expect_eq "$(urls)" "8 " "reopened after an external commit"

# ---- 503: more open connections than --max-clients --------------------------------
start_server busy --index "$T/ix" --max-clients 2 --threads 2
port=${URL_busy##*:}
exec 5<>"/dev/tcp/127.0.0.1/$port" 6<>"/dev/tcp/127.0.0.1/$port"
for _ in $(seq 1 40); do
  req GET "$URL_busy/healthz"
  [ "$CODE" = 503 ] && break
  sleep 0.05
done
expect_error 503 unavailable "too many open connections" "too many connections"
expect_eq "$(header Retry-After)" 1 "Retry-After"
exec 5>&- 6>&-
for _ in $(seq 1 40); do
  req GET "$URL_busy/healthz"
  [ "$CODE" = 200 ] && break
  sleep 0.05
done
expect_eq "$CODE" 200 "serves again once the connections close"

# ---- a missing index, bad flags ----------------------------------------------------
"$K" serve --index "$T/none" --port 0 >"$T/out" 2>"$T/err"
expect_eq "$?" 1 "missing index"
checks=$((checks + 1)); grep -q "none" "$T/err" || fail "missing index message: $(cat "$T/err")"
"$K" serve --index "$T/ix" --port 70000 >"$T/out" 2>"$T/err"
expect_eq "$?" 2 "bad port"
echo short >"$T/short"
"$K" serve --index "$T/ix" --write-token-file "$T/short" >"$T/out" 2>"$T/err"
expect_eq "$?" 2 "short token"

# ---- clean stop on SIGTERM and SIGINT ----------------------------------------------
kill -TERM "$PID_ro"
wait "$PID_ro"
expect_eq "$?" 0 "SIGTERM exit status"
checks=$((checks + 1)); grep -q 'stopped' "$T/ro.err" || fail "SIGTERM: $(cat "$T/ro.err")"
kill -INT "$PID_rw"
wait "$PID_rw"
expect_eq "$?" 0 "SIGINT exit status"
"$K" check --index "$T/ix" >/dev/null || fail "index check after the writes"

echo "$((checks - fails)) passed, $fails failed"
exit $((fails > 0))
