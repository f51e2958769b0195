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
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  addJudge, api, BASE_URL, harness, makePhoto, ok, openBlindRound, openCompetition, ORGANIZER_EMAIL, ORGANIZER_PASSWORD,
  organizerToken, PHONE, run, signIn, waitForAssets,
} from './lib.mjs';

const TITLE = `Blind Weave ${run}`;
const ENTRY_TITLE = `Kente Light ${run}`;
const FILE_NAME = `DSC_0042 ${run}.jpg`;
const ENTRANT = { name: 'Efua Mensah', organisation: 'Bonwire Weavers', email: `efua-${run}@coop.example`, password: 'weaving-is-life' };
const JUDGE = { name: 'Kofi Judge', email: `kofi-${run}@judges.example`, password: 'judging-is-fun' };

const h = harness({ name: 'judging', context: PHONE });
const { newPage, shot, problems } = h;
const s = { slug: '', base: '', entry: '', round: '', crit: [], org: '', ent: '', jud: '', at: null };

function assertBlind(html, where) {
  for (const leak of [ENTRANT.name, ENTRANT.organisation, FILE_NAME, '/original']) {
    assert.ok(!html.includes(leak), `${where} reveals ${leak}`);
  }
}

test.before(async () => {
  await h.start();
  const photo = join(h.tmp, 'photo.jpg');
  makePhoto(photo, '800x600');

  // Set-up through the API.
  s.org = await organizerToken();
  const now = Date.now();
  const comp = await openCompetition(s.org, TITLE, [
    { name: 'Storytelling', weight: 2, scale_min: 1, scale_max: 10 },
    { name: 'Craft', weight: 1, scale_min: 1, scale_max: 10 },
  ], now);
  ({ slug: s.slug, base: s.base, round: s.round } = comp);
  s.ent = (await ok(api('POST', '/users', '', { ...ENTRANT, country: 'GH' }), 201)).token;
  const entry = await ok(api('POST', `${s.base}/entries`, s.ent, {
    category_id: comp.photoCat, title: ENTRY_TITLE, statement: 'Strips woven at dusk.', consent_publish: true, consent_rules: true,
  }), 201);
  s.entry = entry.id;
  await ok(api('PUT', `${s.base}/entries/${s.entry}/files?name=${encodeURIComponent(FILE_NAME)}`, s.ent, readFileSync(photo), 'image/jpeg'), 201);
  await waitForAssets(s.base, s.entry, s.ent, 'the photo was not processed within 60 s');
  await ok(api('POST', `${s.base}/entries/${s.entry}/submit`, s.ent));
  s.jud = await addJudge(s.base, s.org, JUDGE);
  // A blind round of one judge per entry, then automatic assignment.
  const round = await openBlindRound(s.base, s.round, s.org, now);
  s.crit = round.crit;
  assert.equal(round.added, 1);
});

test.after(() => h.stop());

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
