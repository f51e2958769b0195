// The thin path through the pages, in a real browser (Debian's Chromium,
// driven by playwright-core): an organizer creates a competition and invites
// a judge; an entrant signs up, enters, uploads a photo, waits for its
// thumbnail and submits; the judge accepts the invitation and scores blind;
// the organizer marks a winner and announces; the public sees the winner.
//
// Run by scripts/e2e.sh, which starts the server. Environment: BASE_URL,
// ORGANIZER_EMAIL, ORGANIZER_PASSWORD (an organizer that exists), CHROMIUM,
// E2E_ARTIFACTS_DIR (screenshots go to its screenshots/, else e2e/screenshots).
import test from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { harness, main, makePhoto, ORGANIZER_EMAIL, ORGANIZER_PASSWORD, PHONE, run } from './lib.mjs';

const TITLE = `Hands at Work ${run}`;
const ENTRY_TITLE = `Indigo Hands ${run}`;
const ENTRANT = { name: 'Amina Wanjiru', email: `amina-${run}@coop.example`, password: 'weaving-is-life' };
const JUDGE = { name: 'Juma Judge', email: `juma-${run}@judges.example`, password: 'judging-is-fun' };

const h = harness({ context: PHONE });
const { newPage, shot, problems } = h;

// state passed from step to step
const s = { slug: '', invite: '', entryURL: '', photo: '' };

// imageLoaded reports whether the first element matching selector is an
// image that has loaded.
function imageLoaded(page, selector) {
  return page.evaluate((sel) => {
    const img = document.querySelector(sel);
    return !!(img && img.complete && img.naturalWidth > 0);
  }, selector);
}

// waitForImage waits while the page refreshes itself (meta refresh) until
// the image is there and loaded.
async function waitForImage(page, selector, timeoutMs) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await imageLoaded(page, selector)) return;
    } catch {
      // the page navigated (its own refresh) while we looked
    }
    if (Date.now() > end) throw new Error(`${selector} did not load within ${timeoutMs} ms`);
    await page.waitForTimeout(500);
  }
}

test.before(async () => {
  await h.start();
  s.photo = join(h.tmp, 'IMG_2041 indigo.jpg');
  makePhoto(s.photo, '800x600');
});

test.after(() => h.stop());

test('thin path through the pages', async (t) => {
  const org = await newPage('organizer', { timezoneId: 'Africa/Nairobi' });

  await t.test('organizer signs in and creates a competition', async () => {
    await org.goto('/signin?next=/new');
    await org.getByLabel('Email address').fill(ORGANIZER_EMAIL);
    await org.getByLabel('Password').fill(ORGANIZER_PASSWORD);
    await main(org).getByRole('button', { name: 'Sign in' }).click();
    await org.waitForURL('**/new');
    await shot(org, 'organizer-new-competition');
    // The script put the browser's zone in place of UTC.
    assert.equal(await org.getByLabel('Time zone').inputValue(), 'Africa/Nairobi');
    assert.equal(await org.getByLabel('Criterion 1').inputValue(), 'Storytelling');
    await org.getByLabel('Title', { exact: true }).fill(TITLE);
    await org.getByLabel('Description').fill('Photos of hands at work, from every cooperative.');
    await org.getByRole('button', { name: 'Create competition' }).click();
    await org.waitForURL(/\/c\/[a-z0-9-]+$/);
    s.slug = new URL(org.url()).pathname.split('/')[2];
    await assert.doesNotReject(org.getByRole('heading', { level: 1, name: TITLE }).waitFor());
    // Deadline in the competition's zone and, rewritten by the script, the viewer's.
    await assert.doesNotReject(org.getByText('Your time').waitFor());
  });

  await t.test('organizer invites a judge', async () => {
    await org.getByRole('button', { name: 'Create invitation link' }).click();
    s.invite = await org.locator('#invite-link').inputValue();
    assert.match(s.invite, /^https?:\/\/[^/]+\/invite\/[A-Za-z0-9_-]+$/);
    await shot(org, 'organizer-competition');
  });

  const ent = await newPage('entrant', { timezoneId: 'America/Lima' });

  await t.test('entrant signs up and enters', async () => {
    assert.ok(s.slug, 'needs the competition');
    await ent.goto(`/c/${s.slug}`);
    await main(ent).getByRole('link', { name: 'Create an account' }).click();
    await ent.getByLabel('Your name').fill(ENTRANT.name);
    await ent.getByLabel('Email address').fill(ENTRANT.email);
    await ent.getByLabel('Password').fill(ENTRANT.password);
    await ent.getByRole('button', { name: 'Create account' }).click();
    await ent.waitForURL(`**/c/${s.slug}/entries/new`);
    const photo = await ent.locator('option', { hasText: 'Photography' }).getAttribute('value');
    await ent.getByLabel('Category').selectOption(photo);
    await ent.getByLabel('Title of your work').fill(ENTRY_TITLE);
    await ent.getByLabel('Statement').fill('Dyeing cloth with indigo in Kisumu.');
    await ent.getByLabel('I agree that my entry may be published with my name if it wins').check();
    await ent.getByLabel("I have read and accept the competition's rules").check();
    await shot(ent, 'entrant-new-entry');
    await ent.getByRole('button', { name: 'Create entry' }).click();
    await ent.waitForURL(/\/entries\/[^/]+$/);
    s.entryURL = new URL(ent.url()).pathname;
  });

  await t.test('entrant uploads a photo and sees its thumbnail', async () => {
    assert.ok(s.entryURL, 'needs the entry');
    await ent.getByLabel('Add a file').setInputFiles(s.photo);
    // uploader.js sends it in parts, then reloads the page when it is done.
    await ent.locator('.upload-item[data-state="done"]').waitFor({ timeout: 60_000 });
    await waitForImage(ent, 'img.thumb', 60_000);
    await assert.doesNotReject(main(ent).getByText('Ready', { exact: true }).waitFor());
    await shot(ent, 'entrant-entry');
  });

  await t.test('entrant submits', async () => {
    await ent.getByRole('button', { name: 'Submit entry' }).click();
    await ent.waitForURL(`**${s.entryURL}`);
    await assert.doesNotReject(main(ent).getByText('Submitted', { exact: true }).first().waitFor());
    assert.equal(await ent.getByRole('button', { name: 'Submit entry' }).count(), 0);
  });

  const jud = await newPage('judge');

  await t.test('judge accepts the invitation through sign-up', async () => {
    assert.ok(s.invite, 'needs the invitation');
    await jud.goto(s.invite);
    await assert.doesNotReject(jud.getByText(TITLE).waitFor());
    await main(jud).getByRole('link', { name: 'Create an account' }).click();
    await jud.getByLabel('Your name').fill(JUDGE.name);
    await jud.getByLabel('Email address').fill(JUDGE.email);
    await jud.getByLabel('Password').fill(JUDGE.password);
    await jud.getByRole('button', { name: 'Create account' }).click();
    await jud.waitForURL('**/invite/**');
    await jud.getByRole('button', { name: 'Accept the invitation' }).click();
    await jud.waitForURL(`**/c/${s.slug}`);
  });

  await t.test('judge scores the entry without seeing who made it', async () => {
    // One open round: "Judge entries" goes straight to its queue.
    await jud.getByRole('link', { name: 'Judge entries' }).click();
    await jud.waitForURL(/\/rounds\/[^/]+\/queue$/);
    await assert.doesNotReject(jud.getByText('0 of 1 submitted').first().waitFor());
    await waitForImage(jud, 'img.thumb', 10_000);
    let text = await jud.locator('body').innerText();
    assert.ok(!text.includes('Amina') && !text.includes('Wanjiru'), 'the queue names the entrant');
    await shot(jud, 'judge-queue');

    await jud.getByRole('link', { name: new RegExp(ENTRY_TITLE) }).click();
    await jud.waitForURL(/\/rounds\/[^/]+\/review\/[^/]+$/);
    await waitForImage(jud, '.media img', 10_000);
    const html = await jud.content();
    for (const leak of ['Amina', 'Wanjiru', 'IMG_2041', '/original', 'coop.example']) {
      assert.ok(!html.includes(leak), `the judge's page shows ${leak}`);
    }
    const criteria = jud.locator('fieldset.criterion');
    assert.equal(await criteria.count(), 3);
    for (const [i, v] of ['9', '8', '7'].entries()) await criteria.nth(i).locator(`input[type=radio][value="${v}"]`).check();
    await shot(jud, 'judge-entry');
    await jud.getByRole('button', { name: 'Submit scores' }).click();
    await jud.waitForURL(/\/rounds\/[^/]+\/queue$/);
    await assert.doesNotReject(jud.getByText('1 of 1 submitted').first().waitFor());
    text = await jud.locator('body').innerText();
    assert.ok(!text.includes('Amina'));
  });

  const pub = await newPage('public');

  await t.test('before the announcement the public sees no winner', async () => {
    await pub.goto(`/c/${s.slug}/gallery`);
    await assert.doesNotReject(pub.getByText('Results have not been announced yet').waitFor());
    const html = await pub.content();
    assert.ok(!html.includes(ENTRY_TITLE) && !html.includes('Amina'));
  });

  await t.test('organizer gives the first prize from the round\'s results and announces', async () => {
    await org.goto(`/c/${s.slug}/rounds`);
    await main(org).getByRole('link', { name: 'Results' }).first().click();
    await org.waitForURL(/\/rounds\/[^/]+\/results$/);
    await assert.doesNotReject(main(org).getByText(ENTRANT.name).first().waitFor());
    await main(org).locator('form[action$="/award"] button').first().click();
    await assert.doesNotReject(main(org).locator('.badge-award', { hasText: 'First prize' }).first().waitFor());
    await shot(org, 'organizer-results');
    await org.getByRole('button', { name: 'Announce now' }).click();
    await assert.doesNotReject(org.getByText('Results are public from').waitFor());
  });

  await t.test('the public gallery shows the winner', async () => {
    await pub.goto(`/c/${s.slug}/gallery`);
    await assert.doesNotReject(pub.getByRole('heading', { name: ENTRY_TITLE }).waitFor());
    await assert.doesNotReject(pub.getByText(ENTRANT.name).first().waitFor());
    await waitForImage(pub, '.gallery img', 10_000);
    await shot(pub, 'public-winners');
  });

  await t.test('no page logged an error (CSP, scripts)', () => {
    assert.deepEqual(problems, []);
  });
});
