// Judging in a real browser (Debian's Chromium, driven by playwright-core),
// against the real binary on PostgreSQL, Redis and MinIO:
//   1. a judge scores a blind round on a phone: the queue and the review page
//      name nobody, keyboard scoring fills the rubric, the draft autosaves and
//      survives a reload, submitting moves the progress on;
//   2. the announcement, scheduled a few seconds ahead: just before it the
//      public gallery, the winners page, the API and the owner's entry show
//      nothing; at the moment they show the winner with the entrant's name
//      and picture, and the outcome mail is waiting for the organizer to read.
// The set-up (competition, entrant, upload, invitation) goes through the
// JSON API to keep the test on judging.
//
// Run by scripts/e2e.sh. Environment: BASE_URL, ORGANIZER_EMAIL,
// ORGANIZER_PASSWORD, CHROMIUM, E2E_ARTIFACTS_DIR.
import test from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const BASE_URL = (process.env.BASE_URL || 'http://127.0.0.1:8080').replace(/\/$/, '');
const ORGANIZER_EMAIL = process.env.ORGANIZER_EMAIL || 'organizer@e2e.test';
const ORGANIZER_PASSWORD = process.env.ORGANIZER_PASSWORD || 'organizer-pass-123';
const here = dirname(fileURLToPath(import.meta.url));
const SHOTS = process.env.E2E_ARTIFACTS_DIR
  ? join(process.env.E2E_ARTIFACTS_DIR, 'screenshots')
  : join(here, 'screenshots');

const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale: 'en-GB' };
const run = Date.now().toString(36);
const TITLE = `Blind Weave ${run}`;
const ENTRY_TITLE = `Kente Light ${run}`;
const FILE_NAME = `DSC_0042 ${run}.jpg`;
const ENTRANT = { name: 'Efua Mensah', organisation: 'Bonwire Weavers', email: `efua-${run}@coop.example`, password: 'weaving-is-life' };
const JUDGE = { name: 'Kofi Judge', email: `kofi-${run}@judges.example`, password: 'judging-is-fun' };

let browser;
let tmp;
const problems = [];
const s = { slug: '', base: '', entry: '', round: '', crit: [], org: '', ent: '', jud: '', at: null };

async function api(method, path, token, body, type = 'application/json') {
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

async function ok(p, want = 200) {
  const r = await p;
  assert.equal(r.status, want, r.text);
  return r.json;
}

function watch(page, who) {
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`${who}: console: ${m.text()} (${m.location().url})`);
  });
  page.on('pageerror', (e) => problems.push(`${who}: page error: ${e.message}`));
  return page;
}

async function newPage(who, options = {}) {
  const context = await browser.newContext({ ...PHONE, baseURL: BASE_URL, ...options });
  return watch(await context.newPage(), who);
}

async function shot(page, name) {
  await page.screenshot({ path: join(SHOTS, `judging-${name}.png`), fullPage: true });
}

async function signIn(page, email, password, next) {
  await page.goto(`/signin?next=${encodeURIComponent(next)}`);
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.locator('main').getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL('**' + next);
}

function assertBlind(html, where) {
  for (const leak of [ENTRANT.name, ENTRANT.organisation, FILE_NAME, '/original']) {
    assert.ok(!html.includes(leak), `${where} reveals ${leak}`);
  }
}

test.before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  tmp = mkdtempSync(join(tmpdir(), 'tessera-e2e-judging-'));
  const photo = join(tmp, 'photo.jpg');
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc=size=800x600',
    '-frames:v', '1', photo]);
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run'],
  });

  // Set-up through the API.
  s.org = (await ok(api('POST', '/session', '', { email: ORGANIZER_EMAIL, password: ORGANIZER_PASSWORD }))).token;
  const now = Date.now();
  const comp = await ok(api('POST', '/competitions', s.org, {
    title: TITLE, time_zone: 'Africa/Accra', opens_at: new Date(now - 3600e3), closes_at: new Date(now + 48 * 3600e3),
    criteria: [
      { name: 'Storytelling', weight: 2, scale_min: 1, scale_max: 10 },
      { name: 'Craft', weight: 1, scale_min: 1, scale_max: 10 },
    ],
  }), 201);
  s.slug = comp.slug;
  s.base = `/competitions/${s.slug}`;
  const ov = await ok(api('GET', s.base, s.org));
  const photoCat = ov.categories.find((c) => c.medium === 'photo').id;
  s.round = ov.round.id;
  s.ent = (await ok(api('POST', '/users', '', { ...ENTRANT, country: 'GH' }), 201)).token;
  const entry = await ok(api('POST', `${s.base}/entries`, s.ent, {
    category_id: photoCat, title: ENTRY_TITLE, statement: 'Strips woven at dusk.', consent_publish: true, consent_rules: true,
  }), 201);
  s.entry = entry.id;
  await ok(api('PUT', `${s.base}/entries/${s.entry}/files?name=${encodeURIComponent(FILE_NAME)}`, s.ent, readFileSync(photo), 'image/jpeg'), 201);
  for (let i = 0; ; i++) {
    const e = await ok(api('GET', `${s.base}/entries/${s.entry}`, s.ent));
    if (e.assets.length && e.assets.every((a) => a.state === 'ready')) break;
    assert.ok(i < 120, 'the photo was not processed within 60 s');
    await new Promise((r) => setTimeout(r, 500));
  }
  await ok(api('POST', `${s.base}/entries/${s.entry}/submit`, s.ent));
  s.jud = (await ok(api('POST', '/users', '', { name: JUDGE.name, email: JUDGE.email, password: JUDGE.password }), 201)).token;
  const inv = await ok(api('POST', `${s.base}/invitations`, s.org, { role: 'judge', email: JUDGE.email }), 201);
  await ok(api('POST', `/invitations/${inv.token}/accept`, s.jud));
  // A blind round of one judge per entry, then automatic assignment.
  const r = await ok(api('PATCH', `${s.base}/rounds/${s.round}`, s.org, {
    name: 'Shortlist', opens_at: new Date(now - 60e3), closes_at: new Date(now + 3600e3), quorum: 1, blind: true,
  }));
  s.crit = r.criteria.map((c) => c.id);
  const sum = await ok(api('POST', `${s.base}/rounds/${s.round}/assignments/auto`, s.org));
  assert.equal(sum.added, 1);
});

test.after(async () => {
  await browser?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

test('a judge scores a blind round', async (t) => {
  const jud = await newPage('judge');
  const reviewPath = `/c/${s.slug}/rounds/${s.round}/review/${s.entry}`;

  await t.test('the queue names nobody', async () => {
    await signIn(jud, JUDGE.email, JUDGE.password, `/c/${s.slug}/rounds`);
    await jud.getByRole('link', { name: 'My entries to judge' }).click();
    await jud.waitForURL(`**/rounds/${s.round}/queue`);
    await assert.doesNotReject(jud.getByText('0 of 1 submitted').waitFor());
    assertBlind(await jud.content(), 'the queue');
    await shot(jud, 'queue');
    await jud.getByRole('link', { name: new RegExp(ENTRY_TITLE) }).click();
    await jud.waitForURL('**' + reviewPath);
  });

  await t.test('the review page names nobody, its image carries no name', async () => {
    const html = await jud.content();
    assertBlind(html, 'the review page');
    const src = await jud.locator('.media img').first().getAttribute('src');
    assert.ok(src && !src.includes('original') && !src.includes('DSC'), `image URL ${src}`);
    const img = await jud.request.get(BASE_URL + src);
    assert.equal(img.status(), 200);
    assert.ok(!(await img.body()).includes(Buffer.from(FILE_NAME)), 'the preview file holds the original name');
    // The API says the same as the page.
    const rv = await ok(api('GET', `${s.base}/rounds/${s.round}/entries/${s.entry}/review`, s.jud));
    assertBlind(JSON.stringify(rv), 'the review API');
    assert.equal(rv.entry.submitted_at, undefined, 'an exact submission time leaks');
  });

  await t.test('keyboard scoring with an autosaved draft', async () => {
    // Tab into the first criterion and type: 8 marks it and moves on, 0 is 10.
    await jud.locator(`input[name="c_${s.crit[0]}"]`).first().focus();
    await jud.keyboard.press('8');
    await jud.keyboard.press('0');
    assert.equal(await jud.locator(`input[name="c_${s.crit[0]}"][value="8"]`).isChecked(), true);
    assert.equal(await jud.locator(`input[name="c_${s.crit[1]}"][value="10"]`).isChecked(), true);
    await assert.doesNotReject(jud.getByText('Draft saved.').waitFor({ timeout: 5000 }));
    await shot(jud, 'draft');
    await jud.reload();
    assert.equal(await jud.locator(`input[name="c_${s.crit[0]}"][value="8"]`).isChecked(), true, 'the draft did not survive a reload');
    assert.ok(await jud.getByText('Draft — not yet submitted.').isVisible());
    const rv = await ok(api('GET', `${s.base}/rounds/${s.round}/entries/${s.entry}/review`, s.jud));
    assert.equal(rv.submitted, false);
  });

  await t.test('submitting moves the progress on', async () => {
    await jud.getByText('Note and feedback (optional)').click(); // folded until used
    await jud.getByLabel('Feedback for the entrant (optional)').fill('Beautiful rhythm in the strips.');
    await jud.getByRole('button', { name: 'Submit scores' }).click();
    await jud.waitForURL(`**/rounds/${s.round}/queue`);
    await assert.doesNotReject(jud.getByText('1 of 1 submitted').waitFor());
    await shot(jud, 'submitted');
  });
});

test('the announcement: nothing before the moment, everything at it', async (t) => {
  const pub = await newPage('public');
  const owner = await newPage('owner');
  const winnersPath = `/c/${s.slug}/gallery`;

  await t.test('the organizer gives a prize and schedules the announcement', async () => {
    await ok(api('POST', `${s.base}/rounds/${s.round}/awards`, s.org, { entry_id: s.entry, kind: 'first' }), 201);
    s.at = new Date(Date.now() + 8000);
    await ok(api('POST', `${s.base}/rounds/${s.round}/announcement`, s.org, { at: s.at }));
  });

  await t.test('just before: nothing anywhere', async () => {
    await pub.goto(winnersPath);
    let html = await pub.content();
    assert.ok(!html.includes(ENTRY_TITLE) && !html.includes(ENTRANT.name), 'the winners page shows a result early');
    const g = await ok(api('GET', `${s.base}/gallery`, ''));
    assert.equal(g.announced, false);
    assert.equal(g.items.length, 0);
    assert.equal((await api('GET', `${s.base}/entries/${s.entry}`, '')).status, 401);
    const mine = await ok(api('GET', `${s.base}/entries/${s.entry}`, s.ent));
    assert.equal(mine.awards, undefined, 'the owner learns the outcome early');
    await signIn(owner, ENTRANT.email, ENTRANT.password, `/c/${s.slug}/entries/${s.entry}`);
    html = await owner.content();
    assert.ok(!html.includes('badge-award'), 'the owner page shows the prize early');
    const box = await ok(api('GET', `${s.base}/outbox`, s.org));
    assert.ok(box.items.length >= 1 && box.items.every((m) => m.state === 'pending'), 'mail left before the moment');
    assert.ok(Date.now() < s.at.getTime(), 'the checks took too long to be "before"');
    await shot(pub, 'before');
  });

  await t.test('at the moment: the gallery, the owner and the mail', async () => {
    await new Promise((r) => setTimeout(r, Math.max(0, s.at.getTime() - Date.now()) + 300));
    await pub.goto(winnersPath);
    await assert.doesNotReject(pub.getByText(ENTRY_TITLE).first().waitFor());
    await assert.doesNotReject(pub.getByText(ENTRANT.name).first().waitFor());
    const loaded = await pub.evaluate(() => [...document.images].some((i) => i.complete && i.naturalWidth > 0));
    assert.ok(loaded, 'the winner\'s picture did not load');
    await shot(pub, 'after');
    const g = await ok(api('GET', `${s.base}/gallery`, ''));
    assert.equal(g.announced, true);
    assert.equal(g.items.length, 1);
    const mine = await ok(api('GET', `${s.base}/entries/${s.entry}`, s.ent));
    assert.deepEqual(mine.awards, ['first']);
    await owner.reload();
    await assert.doesNotReject(owner.getByText('First prize').first().waitFor());
    // Without SMTP the outcome mail is kept for the organizer to read.
    const org = await newPage('organizer');
    await signIn(org, ORGANIZER_EMAIL, ORGANIZER_PASSWORD, `/c/${s.slug}/outbox`);
    for (let i = 0; ; i++) {
      await org.reload();
      if ((await org.content()).includes('kept here')) break;
      assert.ok(i < 20, 'the outcome mail was not handled within 20 s');
      await org.waitForTimeout(1000);
    }
    const html = await org.content();
    assert.ok(html.includes(ENTRANT.email) && html.includes(ENTRY_TITLE), 'the outbox lacks the entrant\'s mail');
    await shot(org, 'outbox');
  });

  await t.test('no console or page errors', () => {
    assert.deepEqual(problems, []);
  });
});
