/* test_hooks.c - unit tests for the webhooks' pure parts: the HMAC-SHA256 signature, retry
 * delays, the review page's link and the chat message (hooks.c, hooks_alert_text.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "hooks_impl.h"

static void test_sign(void **state)
{
    (void)state;
    char sig[65];
    /* python3: hmac.new(b"whsec-test", b'1700000000.{"id":"1-0"}', hashlib.sha256).hexdigest() */
    hooks_sign("whsec-test", "1700000000", "{\"id\":\"1-0\"}", sig);
    assert_string_equal(sig, "3dd386a7303ebbd9769465b9bd7e011223b857c754ba6fcf8ecf9c50a9fee981");
    char other[65];
    hooks_sign("whsec-test", "1700000001", "{\"id\":\"1-0\"}", other);
    assert_string_not_equal(sig, other);    /* the timestamp is signed too */
}

static void test_retry_ms(void **state)
{
    (void)state;
    conf c;
    conf_defaults(&c);
    c.webhook_retry_min_ms = 100;
    c.webhook_retry_max_ms = 1000;
    assert_int_equal(hooks_retry_ms(&c, 1, 5000), 100);
    assert_int_equal(hooks_retry_ms(&c, 2, 5000), 200);
    assert_int_equal(hooks_retry_ms(&c, 4, 5000), 800);
    assert_int_equal(hooks_retry_ms(&c, 5, 5000), 1000);     /* retry_max */
    assert_int_equal(hooks_retry_ms(&c, 60, 5000), 1000);    /* no overflow */
    assert_int_equal(hooks_retry_ms(&c, 5, 300), 300);       /* the caller's cap */
    c.webhook_timeout_ms = 10000;
    c.webhook_lease_ms = 3000;
    assert_int_equal(hooks_stale_ms(&c), 15000);              /* at least timeout + 5 s */
    c.webhook_lease_ms = 60000;
    assert_int_equal(hooks_stale_ms(&c), 60000);
    conf_free(&c);
}

static void test_link(void **state)
{
    (void)state;
    conf c;
    conf_defaults(&c);
    assert_null(alert_link(&c, "L1"));
    c.web_listen = strdup("127.0.0.1:9180");
    char *l = alert_link(&c, "L1");
    assert_string_equal(l, "http://127.0.0.1:9180/alerts/L1");
    free(l);
    c.web_url = strdup("https://l2a.example.com//");
    l = alert_link(&c, "00Q 7/x?&");
    assert_string_equal(l, "https://l2a.example.com/alerts/00Q%207%2Fx%3F%26");
    free(l);
    conf_free(&c);
}

/* The "text" of a message body, which must be JSON. malloc'd. */
static char *text_of(const char *body)
{
    json_t *j = json_loads(body, 0, NULL);
    assert_non_null(j);
    assert_int_equal(json_object_size(j), 1);
    char *t = strdup(json_string_value(json_object_get(j, "text")));
    json_decref(j);
    return t;
}

static void test_message(void **state)
{
    (void)state;
    conf c;
    conf_defaults(&c);
    c.web_url = strdup("https://l2a.example.com");
    c.review_sla_ms = 4 * 3600000;
    char *body = alert_message(&c, "R1",
                               "{\"id\":\"R1\",\"first_name\":\"Bob\",\"email\":\"bob@acme.com\","
                               "\"company\":\"Acme <R&D>\"}", "ambiguous: 2 accounts \"x\"", false);
    char *t = text_of(body);
    assert_string_equal(t, "New lead to review: Bob (bob@acme.com) lead R1, company Acme &lt;R&amp;D&gt;\n"
                           "Reason: ambiguous: 2 accounts \"x\"\nReview: https://l2a.example.com/alerts/R1");
    free(t);
    free(body);
    body = alert_message(&c, "R2", NULL, NULL, true);
    t = text_of(body);
    assert_string_equal(t, "Overdue review (open longer than 4h): lead R2, company (none)\n"
                           "Reason: (none given)\nReview: https://l2a.example.com/alerts/R2");
    free(t);
    free(body);
    conf_free(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sign),
        cmocka_unit_test(test_retry_ms),
        cmocka_unit_test(test_link),
        cmocka_unit_test(test_message),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
