// Tessera: an entry page follows its files while they are processed.
// Progressive enhancement: without script the page reloads itself (a
// <noscript> meta refresh) and offers a refresh link. With it, the page
// asks for the entry's JSON (the list's data-live URL, GET
// /api/v1/competitions/{slug}/entries/{id}) every 2 s while a file waits
// or is processed, moves a video preview's percentage and <progress> bar
// in place, and reloads once when a file's state changes (ready shows the
// player, failed shows the reason), but never in the middle of an upload.
(function () {
  'use strict';

  var list = document.querySelector('[data-live]');
  if (!list || !window.fetch || !window.Promise) return;
  var url = list.getAttribute('data-live');
  var pattern = list.getAttribute('data-t-progress') || '';
  var every = 2000;
  var maxDelay = 30000;

  // The files as the page shows them, by asset id.
  var shown = {};
  var waiting = false;
  Array.prototype.forEach.call(list.querySelectorAll('[data-asset]'), function (li) {
    var state = li.getAttribute('data-state');
    shown[li.getAttribute('data-asset')] = li;
    if (state === 'pending' || state === 'processing') waiting = true;
  });
  if (!waiting) return;

  // uploader.js lists each file it sends; only done and failed ones are
  // over, so a reload now would not cut an upload short.
  function uploading() {
    return Array.prototype.some.call(document.querySelectorAll('.upload-item'), function (li) {
      var s = li.getAttribute('data-state');
      return s !== 'done' && s !== 'failed';
    });
  }

  function showProgress(li, percent) {
    if (typeof percent !== 'number') return;
    var bar = li.querySelector('progress');
    if (bar) bar.value = percent;
    var text = li.querySelector('[data-progress-text]');
    if (text && pattern) text.textContent = pattern.split('{percent}').join(String(percent));
  }

  // check compares the entry's files with the page's and reports whether
  // the page must be reloaded to show them.
  function check(entry) {
    var seen = {};
    var changed = false;
    (entry.assets || []).forEach(function (a) {
      var li = shown[a.id];
      if (!li) return; // a file added since: its uploader reloads the page
      seen[a.id] = true;
      if (a.state !== li.getAttribute('data-state')) {
        changed = true;
      } else if (a.state === 'processing') {
        showProgress(li, a.progress);
      }
    });
    Object.keys(shown).forEach(function (id) { if (!seen[id]) changed = true; });
    return changed;
  }

  var failures = 0;
  function schedule() {
    var delay = Math.min(maxDelay, every * Math.pow(2, failures));
    setTimeout(function () {
      if (document.hidden) {
        document.addEventListener('visibilitychange', function again() {
          if (document.hidden) return;
          document.removeEventListener('visibilitychange', again);
          poll();
        });
        return;
      }
      poll();
    }, delay);
  }

  function poll() {
    fetch(url, { headers: { Accept: 'application/json' }, credentials: 'same-origin', cache: 'no-store' })
      .then(function (r) {
        // Signed out, or the entry is gone: stop; the refresh link stays.
        if (r.status === 401 || r.status === 403 || r.status === 404) return null;
        if (!r.ok) throw new Error('HTTP ' + r.status);
        return r.json();
      })
      .then(function (entry) {
        if (!entry) return;
        failures = 0;
        if (check(entry) && !uploading()) {
          window.location.reload();
          return;
        }
        schedule();
      })
      .catch(function () {
        failures++;
        schedule();
      });
  }

  schedule();
})();
