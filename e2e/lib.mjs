// lib.mjs — what the browser tests (e2e/*.test.mjs) share: the environment
// scripts/e2e.sh hands them, Chromium and its pages, screenshots, the JSON
// API and a few API steps of the set-up. Not a test itself (scripts/e2e.sh
// names the files it runs), so it is not called *.test.mjs.
//
// Environment: BASE_URL, ORGANIZER_EMAIL, ORGANIZER_PASSWORD (an organizer
// that exists), CHROMIUM, E2E_ARTIFACTS_DIR (screenshots go to its
// screenshots/, else e2e/screenshots).
//
// State lives in the object harness() returns, one a test file: its browser,
// its temporary directory and its list of problems (console errors and page
// errors from every page it opened). The module itself holds only constants.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const BASE_URL = (process.env.BASE_URL || 'http://127.0.0.1:8080').replace(/\/$/, '');
export const ORGANIZER_EMAIL = process.env.ORGANIZER_EMAIL || 'organizer@e2e.test';
export const ORGANIZER_PASSWORD = process.env.ORGANIZER_PASSWORD || 'organizer-pass-123';
const here = dirname(fileURLToPath(import.meta.url));
export const SHOTS = process.env.E2E_ARTIFACTS_DIR
  ? join(process.env.E2E_ARTIFACTS_DIR, 'screenshots')
  : join(here, 'screenshots');

// PHONE is a browser context of a phone, in British English.
export const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale: 'en-GB' };

// run makes the names of a test file's run unique (each file is its own
// process under node --test, so each has its own).
export const run = Date.now().toString(36);

// launchChromium starts Debian's headless Chromium (CHROMIUM, else
// /usr/bin/chromium).
export function launchChromium() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

// harness makes a test file's state and the helpers that use it:
//   name           names the temporary directory (tessera-e2e-<name>-…) and
//                  prefixes the screenshots (<name>-<shot>.png); '' for none;
//   context        browser-context options every newPage starts from;
//   ignoreConsole  a RegExp of console errors that are not problems.
// Call start() in test.before and stop() in test.after.
export function harness({ name = '', context = {}, ignoreConsole = null } = {}) {
  const h = {
    browser: null,
    tmp: '', // a temporary directory, removed by stop()
    problems: [], // console errors and page errors, from every watched page

    // start makes the temporary directory and launches Chromium.
    async start() {
      h.tmp = mkdtempSync(join(tmpdir(), name ? `tessera-e2e-${name}-` : 'tessera-e2e-'));
      h.browser = await launchChromium();
    },

    // stop closes the browser and removes the temporary directory.
    async stop() {
      await h.browser?.close();
      if (h.tmp) rmSync(h.tmp, { recursive: true, force: true });
    },

    // watch records page's console errors and page errors, as who's, in problems.
    watch(page, who) {
      page.on('console', (m) => {
        if (m.type() === 'error' && !(ignoreConsole && ignoreConsole.test(m.text()))) {
          h.problems.push(`${who}: console: ${m.text()} (${m.location().url})`);
        }
      });
      page.on('pageerror', (e) => h.problems.push(`${who}: page error: ${e.message}`));
      return page;
    },

    // newPage opens a watched page in a context of its own (its own cookies)
    // on BASE_URL: the harness's context options, then options.
    async newPage(who, options = {}) {
      const ctx = await h.browser.newContext({ ...context, baseURL: BASE_URL, ...options });
      return h.watch(await ctx.newPage(), who);
    },

    // shot saves a full-page screenshot in SHOTS.
    async shot(page, shotName) {
      mkdirSync(SHOTS, { recursive: true });
      await page.screenshot({ path: join(SHOTS, `${name ? `${name}-` : ''}${shotName}.png`), fullPage: true });
    },
  };
  return h;
}

// main is the page's <main>.
export function main(page) {
  return page.locator('main');
}

// signIn signs in through the form and waits for next.
export async function signIn(page, email, password, next) {
  await page.goto(`/signin?next=${encodeURIComponent(next)}`);
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password').fill(password);
  await main(page).getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL('**' + next);
}

// makePhoto writes a JPEG test picture of size ('800x600') to path.
export function makePhoto(path, size) {
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', `testsrc=size=${size}`,
    '-frames:v', '1', path]);
}

// ---------------------------------------------------------------- JSON API

// api calls /api/v1 + path with a bearer token ('' for none); body, if
// given, is JSON unless type says otherwise. It returns { status, json, text }.
export async function api(method, path, token, body, type = 'application/json') {
  const headers = { Accept: 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  let payload;
  if (body !== undefined) {
    headers['Content-Type'] = type;
    payload = type === 'application/json' ? JSON.stringify(body) : body;
  }
  const r = await fetch(BASE_URL + '/api/v1' + path, { method, headers, body: payload });
  const text = await r.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { /* not JSON */ }
  return { status: r.status, json, text };
}

// ok asserts that the api call p answered want and returns its JSON.
export async function ok(p, want = 200) {
  const r = await p;
  assert.equal(r.status, want, r.text);
  return r.json;
}

// organizerToken signs the organizer in and returns its token.
export async function organizerToken() {
  return (await ok(api('POST', '/session', '', { email: ORGANIZER_EMAIL, password: ORGANIZER_PASSWORD }))).token;
}

// openCompetition has the organizer (orgToken) create a competition of
// title and criteria in Africa/Accra, open from an hour before now (ms) for
// two days. It returns its slug, its API base (/competitions/<slug>), its
// round's id and its photo category's id.
export async function openCompetition(orgToken, title, criteria, now) {
  const comp = await ok(api('POST', '/competitions', orgToken, {
    title, time_zone: 'Africa/Accra', opens_at: new Date(now - 3600e3), closes_at: new Date(now + 48 * 3600e3), criteria,
  }), 201);
  const base = `/competitions/${comp.slug}`;
  const ov = await ok(api('GET', base, orgToken));
  return { slug: comp.slug, base, round: ov.round.id, photoCat: ov.categories.find((c) => c.medium === 'photo').id };
}

// waitForAssets waits (up to 60 s) until the entry id of the competition at
// base (/competitions/<slug>) has assets and all are ready; message is the
// failure's.
export async function waitForAssets(base, id, token, message) {
  for (let i = 0; ; i++) {
    const e = await ok(api('GET', `${base}/entries/${id}`, token));
    if (e.assets.length && e.assets.every((a) => a.state === 'ready')) break;
    assert.ok(i < 120, message);
    await new Promise((r) => setTimeout(r, 500));
  }
}

// addJudge signs judge ({ name, email, password }) up, has the organizer
// (orgToken) invite them to the competition at base and accepts; it returns
// the judge's token.
export async function addJudge(base, orgToken, judge) {
  const token = (await ok(api('POST', '/users', '', { name: judge.name, email: judge.email, password: judge.password }), 201)).token;
  const inv = await ok(api('POST', `${base}/invitations`, orgToken, { role: 'judge', email: judge.email }), 201);
  await ok(api('POST', `/invitations/${inv.token}/accept`, token));
  return token;
}

// openBlindRound makes round a blind round, open from a minute before now
// (ms) for an hour, of one judge per entry, and assigns the judges
// automatically. It returns the round's criteria's ids and how many
// assignments were added.
export async function openBlindRound(base, round, orgToken, now) {
  const r = await ok(api('PATCH', `${base}/rounds/${round}`, orgToken, {
    name: 'Shortlist', opens_at: new Date(now - 60e3), closes_at: new Date(now + 3600e3), quorum: 1, blind: true,
  }));
  const sum = await ok(api('POST', `${base}/rounds/${round}/assignments/auto`, orgToken));
  return { crit: r.criteria.map((c) => c.id), added: sum.added };
}
