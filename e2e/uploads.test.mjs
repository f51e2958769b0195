// Resumable uploads in a real browser (Chromium via playwright-core) against
// the real binary on PostgreSQL, Redis and MinIO: an entrant uploads a 50 MB
// video while part requests fail for a while (route interception), the page
// shows that it is retrying, and the stored file has the same SHA-256; then
// a reload in the middle of another upload resumes it from the parts that
// had arrived; then a longer video's preview percentage moves on the page
// without a reload, and one reload shows the player when it is ready.
//
// Run by scripts/e2e.sh (same environment as thin-path.test.mjs).
import test from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { BASE_URL, harness, ORGANIZER_EMAIL, ORGANIZER_PASSWORD, PHONE, run } from './lib.mjs';

const MB = 1000 * 1000;

// Failed part requests are the point of this test; Chromium logs them.
const h = harness({ name: 'uploads', ignoreConsole: /ERR_CONNECTION_RESET|Failed to load resource/ });
const { problems } = h;

// makeVideo writes a real short MP4 followed by a "free" box padding it to
// size bytes: still a valid MP4, so the worker processes it.
function makeVideo(path, size, seed) {
  const head = join(h.tmp, `head-${seed}.mp4`);
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', `testsrc=size=320x240:rate=10`,
    '-t', '1', '-pix_fmt', 'yuv420p', '-movflags', '+faststart', head]);
  const video = readFileSync(head);
  const pad = size - video.length;
  const box = Buffer.alloc(pad);
  box.writeUInt32BE(pad, 0);
  box.write('free', 4, 'latin1');
  for (let i = 8; i < pad; i += 4096) box[i] = (i / 4096 + seed) & 0xff;
  writeFileSync(path, Buffer.concat([video, box]));
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

async function api(ctx, method, path, data) {
  const r = await ctx.request.fetch(BASE_URL + path, { method, data, headers: { Accept: 'application/json' } });
  const body = await r.text();
  if (r.status() >= 300) throw new Error(`${method} ${path}: ${r.status()} ${body}`);
  return body ? JSON.parse(body) : null;
}

// originalSHA fetches an entry's only asset's original and hashes it.
async function originalSHA(ctx, slug, entryID) {
  let asset;
  for (let i = 0; i < 120; i++) {
    const e = await api(ctx, 'GET', `/api/v1/competitions/${slug}/entries/${entryID}`);
    asset = e.assets[0];
    if (asset && asset.original_url) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  assert.ok(asset && asset.original_url, 'the entry has its uploaded asset');
  const r = await ctx.request.get(BASE_URL + asset.original_url);
  assert.equal(r.status(), 200);
  return { sha: createHash('sha256').update(await r.body()).digest('hex'), count: (await api(ctx, 'GET', `/api/v1/competitions/${slug}/entries/${entryID}`)).assets.length };
}

test.before(() => h.start());

test.after(() => h.stop());

test('resumable uploads survive a bad connection and a reload', async (t) => {
  const orgCtx = await h.browser.newContext({ baseURL: BASE_URL });
  await api(orgCtx, 'POST', '/api/v1/session', { email: ORGANIZER_EMAIL, password: ORGANIZER_PASSWORD });
  const now = Date.now();
  const comp = await api(orgCtx, 'POST', '/api/v1/competitions', {
    title: `Moving Pictures ${run}`, time_zone: 'America/Lima',
    opens_at: new Date(now - 3600e3).toISOString(), closes_at: new Date(now + 86400e3).toISOString(),
    categories: [{ medium: 'video', name: 'Short films', max_entries: 3 }],
    criteria: [{ name: 'Overall', weight: 1 }],
  });
  const slug = comp.slug;
  const overview = await api(orgCtx, 'GET', `/api/v1/competitions/${slug}`);
  const cat = overview.categories[0].id;

  const ctx = await h.browser.newContext({ ...PHONE, baseURL: BASE_URL });
  await api(ctx, 'POST', '/api/v1/users', { email: `rosa-${run}@coop.example`, name: 'Rosa Quispe', password: 'weaving-is-life', organisation: 'Awana Coop', country: 'PE' });
  const page = h.watch(await ctx.newPage(), 'entrant');

  await t.test('a 50 MB video uploads through failing part requests with the same bytes', async () => {
    const file = join(h.tmp, 'telar.mp4');
    const sum = makeVideo(file, 50 * MB, 1);
    const entry = await api(ctx, 'POST', `/api/v1/competitions/${slug}/entries`, { category_id: cat, title: 'Telar', consent_publish: true });
    let parts = 0;
    let failed = 0;
    await page.route('**/api/v1/competitions/*/uploads/*/parts/*', async (route) => {
      parts++;
      // The third and fourth part requests, and their first retries, fail.
      if (parts >= 3 && failed < 4) {
        failed++;
        return route.abort('connectionreset');
      }
      return route.continue();
    });
    await page.goto(`/c/${slug}/entries/${entry.id}`);
    await page.locator('form[data-uploader] input[type=file]').setInputFiles(file);
    await page.locator('.upload-item[data-state="retrying"]').waitFor({ timeout: 60_000 });
    assert.match(await page.locator('.upload-item .upload-status').innerText(), /Retrying in \d+ s/);
    await page.locator('.upload-item[data-state="done"]').waitFor({ timeout: 180_000 });
    assert.ok(failed >= 4, `only ${failed} part requests were failed`);
    await page.unroute('**/api/v1/competitions/*/uploads/*/parts/*');
    const got = await originalSHA(ctx, slug, entry.id);
    assert.equal(got.sha, sum, 'the stored file differs from the uploaded one');
    assert.equal(got.count, 1);
  });

  await t.test('a reload mid-upload resumes from the parts that arrived', async () => {
    const file = join(h.tmp, 'hilado.mp4');
    const sum = makeVideo(file, 50 * MB, 2);
    const entry = await api(ctx, 'POST', `/api/v1/competitions/${slug}/entries`, { category_id: cat, title: 'Hilado', consent_publish: true });
    // Slow parts down so that the reload lands in the middle.
    await page.route('**/api/v1/competitions/*/uploads/*/parts/*', async (route) => {
      await new Promise((r) => setTimeout(r, 700));
      return route.continue().catch(() => {});
    });
    await page.goto(`/c/${slug}/entries/${entry.id}`);
    await page.locator('form[data-uploader] input[type=file]').setInputFiles(file);
    let uploadID = null;
    let received = 0;
    for (let i = 0; i < 120 && received < 2; i++) {
      await page.waitForTimeout(250);
      uploadID = await page.evaluate(() => {
        for (let k = 0; k < localStorage.length; k++) {
          const key = localStorage.key(k);
          if (key.startsWith('tessera-upload|') && key.includes('hilado.mp4')) return localStorage.getItem(key);
        }
        return null;
      });
      if (uploadID) received = (await api(ctx, 'GET', `/api/v1/competitions/${slug}/uploads/${uploadID}`)).received.length;
    }
    assert.ok(received >= 2 && received < 7, `received ${received} of 7 parts before the reload`);
    await page.reload();
    await page.unroute('**/api/v1/competitions/*/uploads/*/parts/*');
    const sent = [];
    page.on('request', (r) => { if (/\/parts\/\d+$/.test(r.url())) sent.push(Number(r.url().split('/').pop())); });
    await page.locator('form[data-uploader] input[type=file]').setInputFiles(file);
    await page.locator('.upload-item .upload-status', { hasText: /Resuming|Uploading|Checking|Uploaded/ }).first().waitFor();
    await page.locator('.upload-item[data-state="done"]').waitFor({ timeout: 180_000 });
    assert.ok(sent.length <= 7 - received + 1, `resent ${sent.length} parts (${sent}) after ${received} had arrived`);
    const st = await api(ctx, 'GET', `/api/v1/competitions/${slug}/uploads/${uploadID}`);
    assert.ok(st.complete, 'the remembered upload was the one completed');
    const got = await originalSHA(ctx, slug, entry.id);
    assert.equal(got.sha, sum);
    assert.equal(got.count, 1, 'the reload made a second asset');
    assert.ok(statSync(file).size === 50 * MB);
  });

  await t.test("a video preview's progress moves on the page without a reload", async () => {
    // 30 s of 720p: its preview takes several seconds to make.
    const file = join(h.tmp, 'tejido.mp4');
    execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=30',
      '-t', '30', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', file]);
    const entry = await api(ctx, 'POST', `/api/v1/competitions/${slug}/entries`, { category_id: cat, title: 'Tejido', consent_publish: true });
    await page.goto(`/c/${slug}/entries/${entry.id}`);
    await page.locator('form[data-uploader] input[type=file]').setInputFiles(file);
    // The uploader reloads the page once the file is sent, and the page
    // reloads itself once more when the file starts processing.
    await page.locator('li[data-state="processing"] [data-progress-text]').waitFor({ timeout: 120_000 });
    let navigations = 0;
    page.on('framenavigated', (f) => { if (f === page.mainFrame()) navigations++; });
    const seen = [];
    const end = Date.now() + 240_000;
    while (navigations === 0 && Date.now() < end) {
      let now = null;
      try {
        now = await page.evaluate(() => {
          const li = document.querySelector('li[data-state="processing"]');
          const text = li && li.querySelector('[data-progress-text]');
          const bar = li && li.querySelector('progress');
          return text && bar ? { text: text.textContent, bar: bar.value } : null;
        });
      } catch {
        // the page is reloading: the preview is ready
      }
      if (now && navigations === 0) {
        const m = /Preparing the video preview: (\d+) %/.exec(now.text);
        assert.ok(m, `progress text ${JSON.stringify(now.text)}`);
        assert.equal(Number(m[1]), now.bar, 'the <progress> bar and the text disagree');
        if (seen[seen.length - 1] !== now.bar) seen.push(now.bar);
      }
      await page.waitForTimeout(200);
    }
    assert.ok(seen.length >= 2, `the percentage did not move without a reload: saw ${seen}`);
    assert.deepEqual(seen, [...seen].sort((a, b) => a - b), `the percentage went backwards: ${seen}`);
    // Ready: one reload shows the player.
    await page.locator('li[data-state="ready"] video').waitFor({ timeout: 60_000 });
    assert.equal(navigations, 1, `${navigations} reloads once the preview was ready`);
  });

  await t.test('no page error (CSP, scripts)', () => {
    assert.deepEqual(problems, []);
  });
});
