#!/usr/bin/env node
// scripts/domain-only.js - the trivial matcher scripts/bench compares `l2a match` with: accounts
// by the host of their websites, each lead matched by its email's or website's host, nothing else.
// usage: node scripts/domain-only.js ACCOUNTS.csv LEADS.jsonl > decisions.jsonl
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

const [accountsPath, leadsPath] = process.argv.slice(2);
if (!accountsPath || !leadsPath) {
    process.stderr.write('usage: node scripts/domain-only.js ACCOUNTS.csv LEADS.jsonl\n');
    process.exit(2);
}
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
        const h = host(site);
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
    const hosts = [at >= 0 ? host(email.slice(at + 1)) : '',
        typeof lead.website === 'string' ? host(lead.website) : ''];
    const hit = hosts.find((h) => h && byDomain.has(h));
    out.push(JSON.stringify({lead_id: lead.id, account_id: hit ? byDomain.get(hit) : null}));
}
process.stdout.write(out.join('\n') + '\n');
