#!/usr/bin/env python3
"""gen_data.py - deterministic accounts and leads for the l2ad integration tests.

usage: gen_data.py OUTDIR NACCOUNTS NLEADS [SEED] [ID_PREFIX]
Writes OUTDIR/accounts.csv and OUTDIR/leads.jsonl (one JSON lead a line). The leads mix every
kind of evidence the matcher reads: corporate emails on an account's domain or sub-domain,
free-mail with exact or misspelt company names, the account's label on another suffix, unknown
corporate domains, shared domains, generic and junk names, broken emails, accents.
"""
import csv
import json
import random
import sys

SYL = ["zor", "vex", "qui", "llon", "tam", "bri", "kor", "dell", "mar", "ost", "fen", "wick",
       "lum", "ar", "pex", "ion", "sal", "dra", "nov", "ek", "tur", "ba", "gri", "mont", "val",
       "cor", "ith", "bel", "dun", "rav", "ska", "len"]
GENERIC = ["Global", "Solutions", "Systems", "Group", "Services", "International", "Partners"]
LEGAL = ["Inc.", "GmbH", "Ltd", "Corporation", "LLC", "S.A.", "", "", "AG", "B.V."]
TLDS = ["com", "com", "com", "de", "co.uk", "fr", "io", "com.au"]
FREEMAIL = ["gmail.com", "yahoo.com", "hotmail.com", "outlook.com"]
TYPES = ["Customer", "Prospect", "Partner", ""]
ACCENTS = {"e": "é", "a": "à", "o": "ö", "u": "ü"}


def word(rng, used):
    while True:
        w = "".join(rng.choice(SYL) for _ in range(rng.choice([2, 2, 3]))).capitalize()
        if w not in used and len(w) >= 5:
            used.add(w)
            return w


def make_accounts(rng, n):
    used, accounts = set(), []
    for i in range(n):
        w1, w2 = word(rng, used), word(rng, used)
        name = "%s %s" % (w1, w2) if rng.random() < 0.6 else w1
        if rng.random() < 0.15:
            name += " " + rng.choice(GENERIC)
        legal = rng.choice(LEGAL)
        full = (name + " " + legal).strip()
        label = name.lower().replace(" ", "")
        domain = "%s.%s" % (label, rng.choice(TLDS))
        acc = {"id": "001T%06d" % i, "name": full, "core": name, "label": label, "domain": domain,
               "type": rng.choice(TYPES), "parent_id": "", "employees": str(rng.randint(1, 50000)),
               "last_activity": "2024-%02d-%02d" % (rng.randint(1, 12), rng.randint(1, 28))}
        form = rng.random()
        if form < 0.1:
            acc["domains"] = ""
        elif form < 0.4:
            acc["domains"] = "https://www.%s/en/" % domain
        elif form < 0.5:
            acc["domains"] = "www.%s; %s.net" % (domain, label)
        else:
            acc["domains"] = domain
        accounts.append(acc)
    # brands and subsidiaries: some accounts share a domain with an earlier one
    for i in range(5, n, 17):
        parent = accounts[i - 5]
        if parent["domains"]:
            accounts[i]["domains"] = parent["domain"]
            accounts[i]["domain"] = parent["domain"]
            accounts[i]["parent_id"] = parent["id"] if i % 2 else ""
    return accounts


def typo(rng, s):
    i = rng.randrange(1, len(s) - 1)
    return s[:i] + s[i + 1:] if rng.random() < 0.5 else s[:i] + s[i + 1] + s[i] + s[i + 2:]


def accent(s):
    for a, b in ACCENTS.items():
        if a in s:
            return s.replace(a, b, 1)
    return s


def make_lead(rng, accounts, i, prefix):
    a = rng.choice(accounts)
    first = rng.choice(["ana", "tom", "li", "omar", "eva", "raj", "kim"])
    lead = {"id": "%s%07d" % (prefix, i), "first_name": first.capitalize(),
            "last_name": rng.choice(["Silva", "Baker", "Chen", "Novak", "Okafor"]),
            "title": rng.choice(["CTO", "VP Sales", "Engineer", "Buyer", ""]),
            "score": rng.randint(0, 120), "source": rng.choice(["Webinar", "Paid Search", "Web"])}
    kind = i % 12
    if kind in (0, 1):
        lead["email"] = "%s@%s" % (first, a["domain"])
        lead["company"] = a["core"]
    elif kind == 2:
        lead["email"] = "%s@mail.%s" % (first, a["domain"])
    elif kind == 3:
        lead["email"] = "%s%d@%s" % (first, i, rng.choice(FREEMAIL))
        lead["company"] = a["name"]
    elif kind == 4:
        lead["email"] = "%s@%s" % (first, rng.choice(FREEMAIL))
        lead["company"] = typo(rng, a["core"]) if len(a["core"]) > 5 else a["core"]
    elif kind == 5:
        lead["email"] = "%s@%s.%s" % (first, a["label"], rng.choice(["fr", "es", "nl"]))
        lead["company"] = a["core"]
    elif kind == 6:
        lead["email"] = "%s@unrelated%d.com" % (first, i % 97)
        lead["company"] = accent(a["core"]).upper()
    elif kind == 7:
        lead["email"] = "%s@%s" % (first, rng.choice(FREEMAIL))
        lead["company"] = rng.choice(["n/a", "self", "-", "Student", "none"])
    elif kind == 8:
        lead["email"] = rng.choice(["%s at gmail.com" % first, "@libero.it", "%s@@x.com" % first])
        lead["company"] = rng.choice(["-", "n/a", ""])
    elif kind == 9:
        lead["email"] = "%s@%s" % (first, rng.choice(FREEMAIL))
        lead["company"] = "%s %s" % (rng.choice(GENERIC), rng.choice(GENERIC))
    elif kind == 10:
        lead["website"] = "https://www.%s/" % a["domain"]
        lead["company"] = a["core"] + " " + rng.choice(["(UK)", "- EMEA", "Intl"])
    else:
        lead["email"] = "%s@%s" % (first, a["domain"])
        lead["company"] = rng.choice(accounts)["core"]
    return lead


def main():
    out, nacc, nleads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    seed = int(sys.argv[4]) if len(sys.argv) > 4 else 1
    prefix = sys.argv[5] if len(sys.argv) > 5 else "00Q"
    rng = random.Random(seed)
    accounts = make_accounts(rng, nacc)
    cols = ["id", "name", "domains", "type", "parent_id", "employees", "last_activity"]
    with open(out + "/accounts.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(cols)
        for a in accounts:
            w.writerow([a[c] for c in cols])
    with open(out + "/leads.jsonl", "w", encoding="utf-8") as f:
        for i in range(nleads):
            f.write(json.dumps(make_lead(rng, accounts, i, prefix), ensure_ascii=False) + "\n")


main()
