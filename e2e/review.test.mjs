// The review page in a real browser (Debian's Chromium, driven by
// playwright-core), against the real binary on PostgreSQL, Redis and MinIO:
// a judge with three photo entries in a blind round of three criteria
// (0–10, 1–10 and 0–100)
//   1. on a desktop (1366×900) sees the picture and the first criterion's
//      scale together without scrolling, on a page not much taller than the
//      screen; scores with the keyboard ("1","0" is 10; "7","5" is 75); the
//      draft autosaves and the queue counts it; moves to the next and
//      previous entries; "Submit and next" submits and opens the next one;
//   2. on a phone (390×844) gets a page no taller than two screens, and a
//      queue where no word breaks in the middle.
// The set-up (competition, entrant, uploads, invitation) goes through the
// JSON API.
//
// Run by scripts/e2e.sh. Environment: BASE_URL, ORGANIZER_EMAIL,
// ORGANIZER_PASSWORD, CHROMIUM, E2E_ARTIFACTS_DIR.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  addJudge, api, harness, makePhoto, ok, openBlindRound, openCompetition, organizerToken, PHONE, run, signIn, waitForAssets,
} from './lib.mjs';

const DESKTOP = { viewport: { width: 1366, height: 900 }, locale: 'en-GB' };
const TITLES = [`Indigo Vats ${run}`, `Copper Lines ${run}`, `Reed Baskets ${run}`];
const ENTRANT = { name: 'Ama Owusu', organisation: 'Kumasi Dyers', email: `ama-${run}@coop.example`, password: 'dyeing-is-life' };
const JUDGE = { name: 'Nia Judge', email: `nia-${run}@judges.example`, password: 'judging-is-fun' };

// No context common to every page: each test opens a desktop or a phone.
const h = harness({ name: 'review' });
const { newPage, shot, problems } = h;
const s = { slug: '', base: '', round: '', entries: [], crit: [], org: '', ent: '', jud: '' };

const queuePath = () => `/c/${s.slug}/rounds/${s.round}/queue`;
const reviewPath = (i) => `/c/${s.slug}/rounds/${s.round}/review/${s.entries[i]}`;

// counts reads the queue's counts of entries not started, in draft and
// submitted, as the judge sees them.
async function counts(page) {
  await page.goto(queuePath());
  const n = async (label) => Number(await page.locator('.queue-counts div', { hasText: label }).locator('dd').innerText());
  return [await n('Not started'), await n('Drafts'), await n('Submitted')];
}

// markOf is the mark chosen in criterion i of the review page.
async function markOf(page, i) {
  const name = `c_${s.crit[i]}`;
  return page.evaluate((n) => {
    const c = document.querySelector(`input[name="${n}"][type=radio]:checked`)
      || document.querySelector(`input[name="${n}"][type=number]`);
    return c ? c.value : null;
  }, name);
}

// inView tells whether an element is wholly (or, with partly, at least
// in part) inside the viewport as it is now.
async function inView(locator, partly = false) {
  return locator.evaluate((el, partly) => {
    const r = el.getBoundingClientRect();
    if (partly) return r.bottom > 0 && r.top < innerHeight && r.right > 0 && r.left < innerWidth && r.height > 0;
    return r.top >= 0 && r.left >= 0 && r.bottom <= innerHeight && r.right <= innerWidth && r.height > 0;
  }, partly);
}

test.before(async () => {
  await h.start();
  const photo = join(h.tmp, 'photo.jpg');
  makePhoto(photo, '1200x800');

  s.org = await organizerToken();
  const now = Date.now();
  const comp = await openCompetition(s.org, `Colours of Craft ${run}`, [
    { name: 'Composition', weight: 2, scale_min: 0, scale_max: 10, guidance: 'How the picture is built.' },
    { name: 'Craft', weight: 1, scale_min: 1, scale_max: 10, guidance: 'The skill the work shows.' },
    { name: 'Impact', weight: 1, scale_min: 0, scale_max: 100, guidance: 'What it does for the makers.' },
  ], now);
  ({ slug: s.slug, base: s.base, round: s.round } = comp);
  s.ent = (await ok(api('POST', '/users', '', { ...ENTRANT, country: 'GH' }), 201)).token;
  for (const title of TITLES) {
    const e = await ok(api('POST', `${s.base}/entries`, s.ent, {
      category_id: comp.photoCat, title, statement: 'Dyed by hand in a shared yard.', consent_publish: true, consent_rules: true,
    }), 201);
    await ok(api('PUT', `${s.base}/entries/${e.id}/files?name=IMG_${run}.jpg`, s.ent, readFileSync(photo), 'image/jpeg'), 201);
    s.entries.push(e.id);
  }
  for (const id of s.entries) {
    await waitForAssets(s.base, id, s.ent, 'a photo was not processed within 60 s');
    await ok(api('POST', `${s.base}/entries/${id}/submit`, s.ent));
  }
  s.jud = await addJudge(s.base, s.org, JUDGE);
  const round = await openBlindRound(s.base, s.round, s.org, now);
  s.crit = round.crit;
  assert.equal(round.added, 3);
  // The judge's queue order is the order the entries were made.
  const q = await ok(api('GET', `${s.base}/rounds/${s.round}/queue`, s.jud));
  assert.deepEqual(q.items.map((i) => i.id), s.entries);
  assert.deepEqual(q.counts, { not_started: 3, draft: 0, submitted: 0 });
});

test.after(() => h.stop());

test('a judge scores on a desktop', async (t) => {
  const jud = await newPage('desktop judge', DESKTOP);
  await signIn(jud, JUDGE.email, JUDGE.password, queuePath());

  await t.test('the queue counts three entries not started', async () => {
    assert.deepEqual(await counts(jud), [3, 0, 0]);
    await shot(jud, 'desktop-queue');
  });

  await t.test('the work and the first scale on one screen', async () => {
    await jud.goto(reviewPath(0));
    const img = jud.locator('.media img').first();
    await img.waitFor();
    await jud.waitForFunction(() => [...document.images].every((i) => i.complete));
    assert.ok(await img.evaluate((i) => i.naturalWidth > 0), 'the picture did not load');
    const height = await jud.evaluate(() => document.documentElement.scrollHeight);
    assert.ok(height <= 1.3 * 900, `the page is ${height} px tall on a 900 px screen`);
    assert.equal(await jud.evaluate(() => scrollY), 0);
    assert.ok(await inView(jud.locator('fieldset.criterion .scale').first()), 'the first scale is not on the screen');
    assert.ok(await inView(img, true), 'the picture is not on the screen beside the scale');
    // Side by side: the rubric begins level with the work, not below it.
    const [work, rubric] = await Promise.all([jud.locator('.work').boundingBox(), jud.locator('#review-form').boundingBox()]);
    assert.ok(rubric.x >= work.x + work.width && rubric.y < work.y + 100, `work ${JSON.stringify(work)}, rubric ${JSON.stringify(rubric)}`);
    await shot(jud, 'desktop');
  });

  await t.test('digits typed together make one mark; the draft autosaves', async () => {
    await jud.locator(`input[name="c_${s.crit[0]}"]`).first().focus();
    await jud.keyboard.press('1');
    await jud.keyboard.press('0');
    assert.equal(await markOf(jud, 0), '10', '"1","0" on a 0–10 scale');
    // 10 is the most the scale allows: the next criterion has the focus.
    assert.equal(await jud.evaluate(() => document.activeElement.closest('fieldset')?.id), `f-c_${s.crit[1]}`);
    await jud.keyboard.press('7');
    assert.equal(await markOf(jud, 1), '7');
    await jud.keyboard.press('7');
    await jud.keyboard.press('5');
    assert.equal(await markOf(jud, 2), '75', '"7","5" on a 0–100 scale');
    // Arrows move the focused criterion's mark.
    await jud.locator(`input[name="c_${s.crit[1]}"]:checked`).focus();
    await jud.keyboard.press('ArrowUp');
    assert.equal(await markOf(jud, 1), '8');
    await jud.keyboard.press('ArrowDown');
    await jud.keyboard.press('ArrowDown');
    assert.equal(await markOf(jud, 1), '6');
    await assert.doesNotReject(jud.getByText('Draft saved.').waitFor({ timeout: 5000 }));
    const rv = await ok(api('GET', `${s.base}/rounds/${s.round}/entries/${s.entries[0]}/review`, s.jud));
    assert.equal(rv.submitted, false);
    assert.deepEqual(rv.scores, { [s.crit[0]]: 10, [s.crit[1]]: 6, [s.crit[2]]: 75 });
    await shot(jud, 'desktop-draft');
    assert.deepEqual(await counts(jud), [2, 1, 0]);
  });

  await t.test('next and previous, in the judge\'s queue', async () => {
    await jud.goto(reviewPath(0));
    assert.equal(await jud.getByRole('link', { name: 'Previous' }).count(), 0, 'the first entry has a previous one');
    await assert.doesNotReject(jud.getByText('Entry 1 of 3').waitFor());
    await jud.getByRole('link', { name: 'Next' }).click();
    await jud.waitForURL('**' + reviewPath(1));
    await assert.doesNotReject(jud.getByRole('heading', { name: TITLES[1] }).waitFor());
    await assert.doesNotReject(jud.getByText('Entry 2 of 3').waitFor());
    await jud.getByRole('link', { name: 'Previous' }).click();
    await jud.waitForURL('**' + reviewPath(0));
    // The draft is still there.
    assert.equal(await markOf(jud, 0), '10');
    await jud.goto(reviewPath(2));
    assert.equal(await jud.getByRole('link', { name: 'Next' }).count(), 0, 'the last entry has a next one');
  });

  await t.test('"Submit and next" submits and opens the next entry', async () => {
    await jud.goto(reviewPath(0));
    await jud.getByRole('button', { name: 'Submit and next' }).click();
    await jud.waitForURL('**' + reviewPath(1) + '?saved=previous');
    await assert.doesNotReject(jud.getByText('Saved. Here is the next entry of your queue.').waitFor());
    const rv = await ok(api('GET', `${s.base}/rounds/${s.round}/entries/${s.entries[0]}/review`, s.jud));
    assert.equal(rv.submitted, true);
    assert.deepEqual(await counts(jud), [2, 0, 1]);
    await assert.doesNotReject(jud.getByText('1 of 3 submitted').waitFor());
    const q = await ok(api('GET', `${s.base}/rounds/${s.round}/queue`, s.jud));
    assert.deepEqual(q.items.map((i) => i.state), ['submitted', 'not_started', 'not_started']);
    assert.deepEqual(q.counts, { not_started: 2, draft: 0, submitted: 1 });
    await shot(jud, 'desktop-queue-after');
    // The same pages in French, for the record.
    await jud.goto(reviewPath(1) + '?lang=fr');
    await shot(jud, 'desktop-fr');
    await jud.goto(queuePath() + '?lang=fr');
    await shot(jud, 'desktop-queue-fr');
    await jud.goto(queuePath() + '?lang=en');
  });
});

test('a judge scores on a phone', async (t) => {
  const jud = await newPage('phone judge', PHONE);
  await signIn(jud, JUDGE.email, JUDGE.password, queuePath());

  await t.test('no word breaks in the middle on the queue', async () => {
    await jud.goto(queuePath());
    const broken = await jud.evaluate(() => {
      const out = [];
      const walk = document.createTreeWalker(document.querySelector('main'), NodeFilter.SHOW_TEXT);
      for (let n = walk.nextNode(); n; n = walk.nextNode()) {
        for (const m of n.data.matchAll(/[\p{L}\p{N}]{4,}/gu)) {
          const r = document.createRange();
          r.setStart(n, m.index);
          r.setEnd(n, m.index + m[0].length);
          const tops = new Set([...r.getClientRects()].map((x) => Math.round(x.top)));
          if (tops.size > 1) out.push(m[0]);
        }
      }
      return out;
    });
    assert.deepEqual(broken, [], 'words broken across lines');
    assert.ok(await jud.evaluate(() => document.documentElement.scrollWidth <= innerWidth), 'the queue scrolls sideways');
    await shot(jud, 'phone-queue');
  });

  await t.test('the review page is at most two screens tall', async () => {
    await jud.goto(reviewPath(1));
    await jud.locator('.media img').first().waitFor();
    await jud.waitForFunction(() => [...document.images].every((i) => i.complete));
    const height = await jud.evaluate(() => document.documentElement.scrollHeight);
    assert.ok(height <= 2 * 844 + 40, `the page is ${height} px tall on an 844 px screen`);
    assert.ok(await jud.evaluate(() => document.documentElement.scrollWidth <= innerWidth), 'the page scrolls sideways');
    // Each short scale is one row.
    for (const i of [0, 1]) {
      const tops = await jud.locator(`fieldset#f-c_${s.crit[i]} .mark`).evaluateAll((ls) => new Set(ls.map((l) => Math.round(l.getBoundingClientRect().top))).size);
      assert.equal(tops, 1, `criterion ${i} wraps`);
    }
    await shot(jud, 'phone');
    await jud.goto(reviewPath(1) + '?lang=fr');
    const fr = await jud.evaluate(() => document.documentElement.scrollHeight);
    assert.ok(fr <= 2 * 844 + 40, `the page is ${fr} px tall in French`);
    await shot(jud, 'phone-fr');
    await jud.goto(queuePath() + '?lang=fr');
    await shot(jud, 'phone-queue-fr');
    await jud.goto(queuePath() + '?lang=en');
  });

  await t.test('no console or page errors', () => {
    assert.deepEqual(problems, []);
  });
});
