#!/usr/bin/env node
// scripts/domain-only.js - the trivial matcher scripts/bench compares `l2a match` with: accounts
// by the host of their websites, each lead matched by its email's or website's host, nothing else.
// With --registrable PSL_FILE (the Public Suffix List, e.g. /usr/share/publicsuffix/
// public_suffix_list.dat) by the registrable domain of each host instead, as this job's domain
// rule asks (a lead at eu.acme.com matches the account on acme.com): still nothing else.
// usage: node scripts/domain-only.js [--registrable PSL_FILE] ACCOUNTS.csv LEADS.jsonl > decisions.jsonl
'use strict';
const fs = require('fs');

// Fields of one CSV record starting at text[pos]; returns [fields, next position].
function csvRecord(text, pos) {
    const fields = [];
    let field = '';
    let quoted = false;
    for (; pos < text.length; pos++) {
        const c = text[pos];
        if (quoted) {
            if (c === '"' && text[pos + 1] === '"') { field += '"'; pos++; }
            else if (c === '"') quoted = false;
            else field += c;
        } else if (c === '"') quoted = true;
        else if (c === ',') { fields.push(field); field = ''; }
        else if (c === '\n') { pos++; break; }
        else if (c !== '\r') field += c;
    }
    fields.push(field);
    return [fields, pos];
}

// "https://www.Acme.com/en/" -> "acme.com"
function host(site) {
    let h = site.trim().toLowerCase().replace(/^[a-z]+:\/\//, '');
    h = h.split(/[/?#:]/)[0];
    return h.startsWith('www.') ? h.slice(4) : h;
}

// The suffix list's rules: plain ones, wildcards ("*.ck" kept as "ck") and exceptions ("!www.ck").
function suffixRules(path) {
    const rules = {plain: new Set(), wildcard: new Set(), exception: new Set()};
    for (const raw of fs.readFileSync(path, 'utf8').split('\n')) {
        const rule = raw.trim().split(/\s/)[0];
        if (!rule || rule.startsWith('//')) continue;
        if (rule.startsWith('!')) rules.exception.add(rule.slice(1));
        else if (rule.startsWith('*.')) rules.wildcard.add(rule.slice(2));
        else rules.plain.add(rule);
    }
    return rules;
}

// "eu.acme.co.uk" -> "acme.co.uk": the public suffix (longest matching rule; an unlisted top
// label is one) and one label more; '' for a host that is a public suffix itself.
function registrable(h, rules) {
    const labels = h.split('.');
    for (let i = 0; i < labels.length; i++) {
        const suffix = labels.slice(i).join('.');
        if (rules.exception.has(suffix)) return suffix;
        const wild = i + 1 < labels.length && rules.wildcard.has(labels.slice(i + 1).join('.'));
        if (rules.plain.has(suffix) || wild) return i > 0 ? labels.slice(i - 1).join('.') : '';
    }
    return labels.length >= 2 ? labels.slice(-2).join('.') : '';
}

const args = process.argv.slice(2);
let rules = null;
if (args[0] === '--registrable') {
    rules = suffixRules(args[1]);
    args.splice(0, 2);
}
const [accountsPath, leadsPath] = args;
if (!accountsPath || !leadsPath) {
    process.stderr.write('usage: node scripts/domain-only.js [--registrable PSL_FILE] ACCOUNTS.csv ' +
        'LEADS.jsonl\n');
    process.exit(2);
}
// The key a site is looked up by: its host, or that host's registrable domain.
const key = rules ? (site) => registrable(host(site), rules) : host;
const csv = fs.readFileSync(accountsPath, 'utf8');
let [header, pos] = csvRecord(csv, 0);
header = header.map((h) => h.trim().toLowerCase());
const idCol = header.indexOf('id');
const domainsCol = header.indexOf('domains');
const byDomain = new Map();
while (pos < csv.length) {
    let rec;
    [rec, pos] = csvRecord(csv, pos);
    if (rec.length !== header.length) continue;
    for (const site of rec[domainsCol].split(';')) {
        const h = key(site);
        if (h && !byDomain.has(h)) byDomain.set(h, rec[idCol]);
    }
}
const out = [];
for (const line of fs.readFileSync(leadsPath, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    let lead;
    try { lead = JSON.parse(line); } catch (e) { out.push('{"decision":"invalid"}'); continue; }
    const email = typeof lead.email === 'string' ? lead.email : '';
    const at = email.lastIndexOf('@');
    const hosts = [at >= 0 ? key(email.slice(at + 1)) : '',
        typeof lead.website === 'string' ? key(lead.website) : ''];
    const hit = hosts.find((h) => h && byDomain.has(h));
    out.push(JSON.stringify({lead_id: lead.id, account_id: hit ? byDomain.get(hit) : null}));
}
process.stdout.write(out.join('\n') + '\n');
