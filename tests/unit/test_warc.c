/* Tests of warc.c: header blocks, field values, HTTP response heads,
 * chunked transfer encoding with its failure offsets. */
#include <string.h>

#include "check.h"
#include "ingest/warc.h"

int main(void)
{
    const char *rec = "WARC/1.1\r\nWARC-Type: response\r\nwarc-target-uri:  https://a.example/x \r\n"
                      "Content-Length: 1234\r\n\r\nHTTP/1.1 200 OK";
    size_t end = kh_header_block_end(rec, strlen(rec));
    CHECK_INT(end, strlen(rec) - strlen("HTTP/1.1 200 OK"));
    CHECK_INT(kh_header_block_end(rec, 30), 0);
    CHECK(kh_warc_is_record_start(rec, strlen(rec)));
    CHECK(!kh_warc_is_record_start("WARCX", 5));
    size_t vl;
    const char *v = kh_header_value(rec, end, "WARC-Target-URI", &vl);
    CHECK(v && vl == 19 && !memcmp(v, "https://a.example/x", 19));   /* trimmed */
    CHECK(kh_header_value(rec, end, "WARC-Date", &vl) == NULL);
    uint64_t len;
    CHECK(kh_warc_content_length(rec, end, &len) && len == 1234);
    CHECK(!kh_warc_content_length("WARC/1.1\r\nContent-Length: 12x\r\n\r\n", 33, &len));
    /* bare LF line ends, as some tools write them */
    CHECK_INT(kh_header_block_end("WARC/1.0\nA: b\n\nrest", 19), 15);

    const char *resp = "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=windows-1256\r\n"
                       "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n";
    kh_http_head h;
    CHECK(kh_http_parse_head(resp, strlen(resp), &h));
    CHECK_INT(h.status, 200);
    CHECK(h.chunked);
    CHECK(kh_http_is_html(h.content_type, h.content_type_len));
    CHECK(!kh_http_is_html("image/png", 9));
    CHECK(kh_http_is_html("application/xhtml+xml", 21));
    CHECK(!kh_http_parse_head("HTTP/1.1 200 OK\r\nX: y\r\n", 23, &h));   /* no blank line yet */
    CHECK(kh_http_parse_head("HTTP/1.0 404 Not Found\r\n\r\n", 26, &h) && h.status == 404);

    kh_buf out = KH_BUF_INIT;
    size_t bad = 0;
    const char *body = resp + strlen(resp) - strlen("5\r\nhello\r\n0\r\n\r\n");
    CHECK_INT(kh_http_dechunk(body, strlen(body), &out, &bad), KH_OK);
    CHECK_STR(out.data, "hello");
    kh_buf_reset(&out);
    const char *two = "3;ext=1\r\nabc\r\nA\r\n0123456789\r\n0\r\n\r\n";
    CHECK_INT(kh_http_dechunk(two, strlen(two), &out, &bad), KH_OK);
    CHECK_STR(out.data, "abc0123456789");
    kh_buf_reset(&out);
    const char *cut = "5\r\nhel";
    CHECK_INT(kh_http_dechunk(cut, strlen(cut), &out, &bad), KH_ERR_TRUNCATED);
    CHECK_STR(out.data, "hel");
    CHECK_INT(bad, 6);
    kh_buf_reset(&out);
    const char *junk = "5\r\nhello\r\nzz\r\n";
    CHECK_INT(kh_http_dechunk(junk, strlen(junk), &out, &bad), KH_ERR_PARSE);
    CHECK_INT(bad, 10);
    kh_buf_free(&out);
    return check_done();
}
