"""ALB rule evaluator on hand-built listeners: order, AND/OR, and each condition type's semantics."""

from __future__ import annotations

import random
from fnmatch import fnmatchcase

import pytest
from factories import fixed, forward, header, host, listener, method, path, query, redirect, rule, source_ip

from alblab.model import Condition, Listener
from alblab.verdicts.routing import Decision, Request, explain, route
from alblab.verdicts.wildcard import matches

DEFAULT = fixed(404, "no route")
HIT = forward("hit")


def one_rule(*conditions: Condition) -> Listener:
    return listener(DEFAULT, rule(10, HIT, *conditions))


def hits(lst: Listener, **request: object) -> bool:
    return route(lst, Request(**request)).action == HIT  # type: ignore[arg-type]


# --- order and combination -------------------------------------------------------------------------


def test_lowest_priority_number_wins_whatever_the_listed_order() -> None:
    api, catch_all = forward("api"), forward("catch-all")
    lst = listener(
        DEFAULT, rule(50, catch_all, path("*")), rule(5, api, path("/api/*")), rule(7, redirect(), path("/x"))
    )
    assert route(lst, Request(path="/api/v1")) == Decision(5, api, "arn:rule/5")
    assert route(lst, Request(path="/x")).priority == 7
    assert route(lst, Request(path="/other")) == Decision(50, catch_all, "arn:rule/50")


def test_no_matching_rule_gives_the_default_action() -> None:
    decision = route(one_rule(path("/api/*")), Request(path="/web"))
    assert decision == Decision(None, DEFAULT, None)


def test_listener_without_rules_gives_the_default_action() -> None:
    assert route(listener(DEFAULT), Request()).priority is None


def test_conditions_are_anded() -> None:
    lst = one_rule(path("/admin/*"), method("POST"), source_ip("10.0.0.0/8"))
    assert hits(lst, method="POST", path="/admin/x", source_ip="10.1.2.3")
    assert not hits(lst, method="GET", path="/admin/x", source_ip="10.1.2.3")
    assert not hits(lst, method="POST", path="/user/x", source_ip="10.1.2.3")
    assert not hits(lst, method="POST", path="/admin/x", source_ip="192.0.2.1")


def test_values_of_one_condition_are_ored_all_five() -> None:
    lst = one_rule(path("/a", "/b/*", "/c?", "*.png", "/e"))
    for p in ("/a", "/b/x", "/c1", "/img/logo.png", "/e"):
        assert hits(lst, path=p), p
    for p in ("/f", "/c", "/c12", "/a/"):
        assert not hits(lst, path=p), p


def test_duplicate_priorities_are_refused() -> None:
    with pytest.raises(ValueError, match="priority 10"):
        route(listener(DEFAULT, rule(10, HIT, path("/a")), rule(10, HIT, path("/b"))), Request())


def test_unknown_condition_field_is_refused() -> None:
    with pytest.raises(ValueError, match="condition field"):
        route(one_rule(Condition("cookie", ("x",))), Request())  # type: ignore[arg-type]


def test_explain_gives_each_rule_and_the_first_failing_condition() -> None:
    lst = listener(DEFAULT, rule(2, HIT, host("a.example.com"), path("/x")), rule(1, HIT, method("PUT")))
    outcomes = explain(lst, Request(host="a.example.com", path="/y"))
    assert [(o.priority, o.matched) for o in outcomes] == [(1, False), (2, False)]
    assert outcomes[0].reason == "http-request-method: method 'GET' is none of 'PUT'"
    assert outcomes[1].reason == "path-pattern: path '/y' matches none of '/x'"
    assert explain(lst, Request(host="A.example.com", path="/x"))[1].reason == "matched"


# --- path-pattern ------------------------------------------------------------------------------------


def test_path_is_case_sensitive() -> None:
    lst = one_rule(path("/api/*"))
    assert hits(lst, path="/api/users")
    assert not hits(lst, path="/API/users")


def test_path_star_spans_slashes_and_question_mark_is_one_character() -> None:
    assert hits(one_rule(path("/api/*")), path="/api/v1/users/7")
    assert hits(one_rule(path("*/edit")), path="/a/b/c/edit")
    q = one_rule(path("/v?/status"))
    assert hits(q, path="/v1/status")
    assert not hits(q, path="/v10/status")
    assert not hits(q, path="/v/status")


def test_path_trailing_slash_is_significant() -> None:
    assert not hits(one_rule(path("/api/*")), path="/api")
    assert hits(one_rule(path("/api/*")), path="/api/")
    assert not hits(one_rule(path("/api")), path="/api/")


def test_path_ignores_the_query_string_and_fragment() -> None:
    assert hits(one_rule(path("/search")), path="/search?q=1#top")
    assert not hits(one_rule(path("*q=1*")), path="/search?q=1")
    assert not hits(one_rule(path("*top")), path="/search#top")


def test_path_pattern_literal_characters_are_not_regex() -> None:
    lst = one_rule(path("/file.txt", "/a+b"))
    assert hits(lst, path="/file.txt") and hits(lst, path="/a+b")
    assert not hits(lst, path="/fileXtxt")
    assert not hits(lst, path="/aab")


# --- host-header -----------------------------------------------------------------------------------


def test_host_is_case_insensitive_and_compared_without_port() -> None:
    lst = one_rule(host("api.example.com"))
    assert hits(lst, host="API.Example.COM")
    assert hits(lst, host="api.example.com:8080")
    assert not hits(lst, host="api.example.com.evil")
    assert not hits(lst, host="")


def test_host_wildcards() -> None:
    star = one_rule(host("*.example.com"))
    assert hits(star, host="a.b.example.com")
    assert not hits(star, host="example.com")
    one = one_rule(host("web?.example.com"))
    assert hits(one, host="web1.example.com")
    assert not hits(one, host="web12.example.com")


def test_host_ipv6_literal_keeps_its_brackets() -> None:
    lst = one_rule(host("[2001:db8::1]"))
    assert hits(lst, host="[2001:db8::1]:443")
    assert hits(lst, host="[2001:db8::1]")


# --- http-header -----------------------------------------------------------------------------------


def test_header_name_and_value_are_case_insensitive_with_wildcards() -> None:
    lst = one_rule(header("X-Env", "prod*"))
    assert hits(lst, headers={"x-env": "PRODUCTION"})
    assert hits(lst, headers={"X-ENV": "prod"})
    assert not hits(lst, headers={"X-Env": "staging"})
    assert not hits(lst, headers={"X-Other": "prod"})
    assert not hits(lst, headers={})


def test_multiple_header_conditions_all_must_match() -> None:
    lst = one_rule(header("User-Agent", "*Mobile*", "*Android*"), header("X-Beta", "1"))
    assert hits(lst, headers={"User-Agent": "Mozilla/5.0 (iPhone) Mobile", "X-Beta": "1"})
    assert hits(lst, headers={"user-agent": "Android 14", "x-beta": "1"})
    assert not hits(lst, headers={"User-Agent": "Mozilla/5.0 Mobile"})
    assert not hits(lst, headers={"User-Agent": "curl/8", "X-Beta": "1"})


def test_header_sent_several_times_matches_on_any_value() -> None:
    lst = one_rule(header("X-Tag", "blue"))
    assert hits(lst, headers={"X-Tag": ["red", "Blue"]})
    assert not hits(lst, headers={"X-Tag": ["red", "green"]})


def test_empty_header_value_matches_only_a_pattern_that_allows_empty() -> None:
    assert hits(one_rule(header("X-Flag", "*")), headers={"X-Flag": ""})
    assert not hits(one_rule(header("X-Flag", "?")), headers={"X-Flag": ""})


# --- http-request-method -------------------------------------------------------------------------


def test_method_is_exact_and_case_sensitive() -> None:
    lst = one_rule(method("GET", "HEAD"))
    assert hits(lst, method="GET") and hits(lst, method="HEAD")
    assert not hits(lst, method="get")
    assert not hits(lst, method="POST")
    assert not hits(one_rule(method("G*")), method="GET")  # no wildcards for methods


# --- query-string ----------------------------------------------------------------------------------


def test_query_pairs_are_case_insensitive_with_wildcards() -> None:
    lst = one_rule(query(("version", "v1*")))
    assert hits(lst, query=[("Version", "V1.2")])
    assert hits(lst, query=[("a", "b"), ("version", "v1")])
    assert not hits(lst, query=[("version", "v2")])
    assert not hits(lst, query=[("ver", "v1")])
    assert not hits(lst, query=[])


def test_query_without_key_matches_a_value_under_any_key() -> None:
    lst = one_rule(query((None, "debug")))
    assert hits(lst, query=[("mode", "DEBUG")])
    assert hits(lst, path="/x?a=1&trace=debug")
    assert not hits(lst, query=[("debug", "1")])


def test_query_pairs_in_one_condition_are_ored_and_conditions_anded() -> None:
    ored = one_rule(query(("a", "1"), ("b", "2")))
    assert hits(ored, query=[("b", "2")])
    assert hits(ored, query=[("a", "1")])
    anded = one_rule(query(("a", "1")), query(("b", "2")))
    assert not hits(anded, query=[("a", "1")])
    assert hits(anded, query=[("a", "1"), ("b", "2")])


def test_query_is_url_decoded_before_comparing() -> None:
    lst = one_rule(query(("q", "hello world")))
    assert hits(lst, path="/s?q=hello%20world")
    assert hits(lst, query=[("q", "hello%20world")])
    assert hits(lst, query=[("%71", "HELLO WORLD")])  # %71 = "q"
    assert hits(one_rule(query(("q", "a%26b"))), path="/s?q=a%26b")  # an encoded '&' stays in the value


def test_query_empty_value_and_bare_key() -> None:
    star = one_rule(query(("debug", "*")))
    assert hits(star, path="/?debug=")
    assert hits(star, path="/?debug")
    assert not hits(one_rule(query(("debug", "?"))), path="/?debug=")
    assert not hits(star, path="/?")


def test_query_backslash_escapes_make_wildcards_literal() -> None:
    lst = one_rule(query(("q", "a\\*b")))
    assert hits(lst, query=[("q", "a*b")])
    assert not hits(lst, query=[("q", "axxb")])


def test_query_from_path_and_from_pairs_are_both_seen() -> None:
    lst = one_rule(query(("a", "1")), query(("b", "2")))
    assert hits(lst, path="/p?a=1", query=[("b", "2")])


# --- source-ip -------------------------------------------------------------------------------------


def test_source_ip_v4_and_v6() -> None:
    lst = one_rule(source_ip("192.0.2.0/24", "2001:db8::/32"))
    assert hits(lst, source_ip="192.0.2.200")
    assert hits(lst, source_ip="2001:db8:ffff::1")
    assert not hits(lst, source_ip="192.0.3.1")
    assert not hits(lst, source_ip="2001:db9::1")
    assert not hits(lst, source_ip="")
    assert not hits(lst, source_ip="::ffff:192.0.2.1")  # a mapped v6 address is not the v4 CIDR


def test_source_ip_ignores_x_forwarded_for() -> None:
    lst = one_rule(source_ip("10.0.0.0/8"))
    assert not hits(lst, source_ip="203.0.113.5", headers={"X-Forwarded-For": "10.0.0.1"})


def test_source_ip_single_host_cidr() -> None:
    lst = one_rule(source_ip("198.51.100.7/32"))
    assert hits(lst, source_ip="198.51.100.7")
    assert not hits(lst, source_ip="198.51.100.8")


# --- wildcard engine against an independent oracle ----------------------------------------------------


def test_wildcards_agree_with_fnmatch_on_random_patterns() -> None:
    # fnmatch's '*' and '?' have ALB's meaning ('*' spans '/'); '[' is left out of the alphabet because
    # fnmatch reads it as a character class and ALB as a literal.
    rnd = random.Random(7)
    for _ in range(800):
        pattern = "".join(rnd.choice("aB/.*?") for _ in range(rnd.randint(0, 6)))
        value = "".join(rnd.choice("abAB/.") for _ in range(rnd.randint(0, 7)))
        assert matches(pattern, value, ignore_case=False) == fnmatchcase(value, pattern), (pattern, value)
        assert matches(pattern, value, ignore_case=True) == fnmatchcase(value.lower(), pattern.lower()), (
            pattern,
            value,
        )


def test_regex_metacharacters_are_literal() -> None:
    for literal in ("/a.b", "/(x)", "/a+b", "/[a]", "/^$", "/a|b", "/{1}"):
        assert matches(literal, literal, ignore_case=False), literal
    assert not matches("/a.b", "/axb", ignore_case=False)
    assert not matches("/a|b", "/a", ignore_case=False)
