// Tessera resumable uploader: progressive enhancement of an entry's plain
// upload form (which keeps working without script). Files go in numbered
// parts through the resumable upload API (docs/UPLOADS.md): drag and drop
// or pick several files, progress with speed and time left, pause and
// resume, automatic retry with backoff, and resume after a reload or a lost
// connection (localStorage remembers the upload id for name+size+date).
(function () {
  'use strict';

  var form = document.querySelector('form[data-uploader]');
  if (!form || !window.XMLHttpRequest || !window.Blob || !Blob.prototype.slice) return;
  var ds = form.dataset;
  var startURL = ds.start;       // POST: start an upload for this entry
  var uploadsURL = ds.uploads;   // + id: status, parts, complete
  var maxRetryDelay = 30000;

  function t(name, vars) {
    var s = ds['t' + name.charAt(0).toUpperCase() + name.slice(1)] || name;
    if (vars) Object.keys(vars).forEach(function (k) { s = s.split('{' + k + '}').join(vars[k]); });
    return s;
  }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }
  function human(bytes) {
    var u = ['B', 'KB', 'MB', 'GB'], i = 0;
    while (bytes >= 1000 && i < u.length - 1) { bytes /= 1000; i++; }
    return (i ? bytes.toFixed(1) : Math.round(bytes)) + ' ' + u[i];
  }
  function duration(s) {
    s = Math.max(0, Math.round(s));
    if (s < 60) return s + ' s';
    if (s < 3600) return Math.floor(s / 60) + ' min ' + (s % 60) + ' s';
    return Math.floor(s / 3600) + ' h ' + Math.floor((s % 3600) / 60) + ' min';
  }
  function storageKey(f) { return 'tessera-upload|' + startURL + '|' + f.name + '|' + f.size + '|' + f.lastModified; }
  function remember(f, id) { try { localStorage.setItem(storageKey(f), id); } catch (e) { /* private mode */ } }
  function recall(f) { try { return localStorage.getItem(storageKey(f)); } catch (e) { return null; } }
  function forget(f) { try { localStorage.removeItem(storageKey(f)); } catch (e) { /* ignore */ } }

  // request sends one XHR and resolves with {status, body}; network
  // failures resolve with status 0 so callers decide whether to retry.
  function request(method, url, body, onProgress, item) {
    return new Promise(function (resolve) {
      var x = new XMLHttpRequest();
      if (item) item.xhr = x;
      x.open(method, url);
      x.setRequestHeader('Accept', 'application/json');
      if (body && !(body instanceof Blob)) {
        x.setRequestHeader('Content-Type', 'application/json');
        body = JSON.stringify(body);
      } else if (body) {
        x.setRequestHeader('Content-Type', 'application/octet-stream');
      }
      if (onProgress && x.upload) x.upload.onprogress = function (e) { onProgress(e.loaded); };
      x.onload = function () {
        var b = null;
        try { b = JSON.parse(x.responseText); } catch (e) { /* empty */ }
        resolve({ status: x.status, body: b });
      };
      x.onerror = x.ontimeout = function () { resolve({ status: 0, body: null }); };
      x.onabort = function () { resolve({ status: -1, body: null }); };
      x.send(body || null);
    });
  }
  function problemText(r) {
    var b = r.body;
    if (b && b.errors && b.errors.length) return b.errors.map(function (e) { return e.message; }).join(' ');
    if (b && b.detail) return b.detail;
    return t('failed');
  }
  function retryable(status) { return status === 0 || status === 408 || status === 429 || status >= 500; }

  // The enhanced interface keeps the plain file field (its label, hint and
  // accept list), lets it take several files, makes the form a drop zone
  // and replaces the submit button: files start uploading when chosen.
  var input = form.querySelector('input[type=file]');
  if (!input) return;
  input.multiple = true;
  input.required = false;
  Array.prototype.forEach.call(form.querySelectorAll('button'), function (b) { b.hidden = true; });
  var zone = form;
  zone.classList.add('dropzone');
  var dropHint = el('p', 'hint', t('drop') + ' ' + t('choose') + '.');
  form.insertBefore(dropHint, form.firstChild);
  var list = el('ul', 'uploads');
  list.setAttribute('aria-live', 'polite');
  form.appendChild(list);
  form.addEventListener('submit', function (e) { e.preventDefault(); });

  var items = [];
  function busy() { return items.some(function (i) { return !i.finished && !i.cancelled && !i.failed; }); }
  // While earlier files process, the page reloads itself to show their
  // state, but never in the middle of an upload.
  if (ds.refresh) {
    setInterval(function () { if (!busy()) window.location.reload(); }, Number(ds.refresh) * 1000);
  }
  function add(files) {
    for (var i = 0; i < files.length; i++) {
      var item = newItem(files[i]);
      items.push(item);
      run(item);
    }
  }
  input.addEventListener('change', function () { add(input.files); input.value = ''; });
  ['dragenter', 'dragover'].forEach(function (ev) {
    zone.addEventListener(ev, function (e) { e.preventDefault(); zone.classList.add('over'); });
  });
  ['dragleave', 'drop'].forEach(function (ev) {
    zone.addEventListener(ev, function (e) { e.preventDefault(); zone.classList.remove('over'); });
  });
  zone.addEventListener('drop', function (e) { if (e.dataTransfer) add(e.dataTransfer.files); });

  function newItem(file) {
    var li = el('li', 'upload-item');
    var name = el('p', 'filename', file.name + ' (' + human(file.size) + ')');
    var bar = el('progress');
    bar.max = file.size || 1;
    bar.value = 0;
    var status = el('p', 'upload-status', t('waiting'));
    status.setAttribute('role', 'status');
    var pause = el('button', 'button small', t('pause'));
    pause.type = 'button';
    var cancel = el('button', 'button small', t('cancel'));
    cancel.type = 'button';
    var actions = el('p', 'actions');
    actions.appendChild(pause);
    actions.appendChild(cancel);
    li.appendChild(name);
    li.appendChild(bar);
    li.appendChild(status);
    li.appendChild(actions);
    list.appendChild(li);
    var item = { file: file, li: li, bar: bar, status: status, pauseBtn: pause, paused: false, cancelled: false, done: 0, samples: [], wake: null };
    pause.addEventListener('click', function () {
      item.paused = !item.paused;
      pause.textContent = item.paused ? t('resume') : t('pause');
      if (item.paused) {
        if (item.xhr) item.xhr.abort();
        setStatus(item, t('paused'), 'paused');
      } else if (item.wake) {
        item.wake();
      }
    });
    cancel.addEventListener('click', function () {
      item.cancelled = true;
      if (item.xhr) item.xhr.abort();
      if (item.wake) item.wake();
      if (item.id) request('DELETE', uploadsURL + item.id);
      forget(file);
      li.remove();
    });
    return item;
  }
  function setStatus(item, text, state) {
    item.status.textContent = text;
    item.li.dataset.state = state;
  }
  function progress(item, inFlight) {
    var sent = item.done + inFlight;
    item.bar.value = sent;
    var now = Date.now();
    item.samples.push([now, sent]);
    while (item.samples.length > 2 && now - item.samples[0][0] > 8000) item.samples.shift();
    var first = item.samples[0];
    var secs = (now - first[0]) / 1000;
    if (secs > 0.5 && sent > first[1]) {
      var speed = (sent - first[1]) / secs;
      setStatus(item, t('uploading') + ' ' + Math.floor(sent * 100 / item.file.size) + '%, ' +
        t('eta', { speed: human(speed), eta: duration((item.file.size - sent) / speed) }), 'uploading');
    }
  }
  // waitWhilePaused resolves when the item may run again.
  function waitWhilePaused(item) {
    return new Promise(function (resolve) {
      if (!item.paused || item.cancelled) return resolve();
      item.wake = function () { item.wake = null; resolve(); };
    });
  }
  // backoff waits 1, 2, 4 … 30 s (with jitter), counting down on screen,
  // or until the browser says it is online again.
  function backoff(item, attempt) {
    var delay = Math.min(maxRetryDelay, 1000 * Math.pow(2, attempt)) * (0.75 + Math.random() / 2);
    var until = Date.now() + delay;
    return new Promise(function (resolve) {
      var timer;
      function tick() {
        if (item.cancelled || item.paused) { clearInterval(timer); return resolve(); }
        var left = Math.ceil((until - Date.now()) / 1000);
        if (left <= 0) { clearInterval(timer); window.removeEventListener('online', wake); return resolve(); }
        setStatus(item, navigator.onLine === false ? t('offline') : t('retrying', { s: left }), 'retrying');
      }
      function wake() { until = Date.now(); }
      window.addEventListener('online', wake);
      timer = setInterval(tick, 250);
      tick();
    });
  }
  // call repeats a request through transient failures.
  async function call(item, method, url, body, onProgress) {
    for (var attempt = 0; ; attempt++) {
      await waitWhilePaused(item);
      if (item.cancelled) return null;
      var r = await request(method, url, body, onProgress, item);
      if (r.status === -1) { attempt = -1; continue; } // paused mid-request
      if (!retryable(r.status)) return r;
      await backoff(item, attempt);
    }
  }

  async function run(item) {
    var f = item.file;
    var st = null;
    var id = recall(f);
    if (id) {
      var r = await call(item, 'GET', uploadsURL + id);
      if (r && r.status === 200 && !r.body.complete) {
        st = r.body;
        setStatus(item, t('resumed'), 'uploading');
      } else {
        forget(f);
      }
    }
    if (!st) {
      var c = await call(item, 'POST', startURL, { name: f.name, size: f.size, type: f.type || '' });
      if (!c) return;
      if (c.status !== 201) return fail(item, c);
      st = c.body;
      remember(f, st.id);
    }
    item.id = st.id;
    var have = {};
    (st.received || []).forEach(function (p) { have[p.number] = true; item.done += p.size; });
    item.bar.value = item.done;
    for (var n = 1; n <= st.part_count; n++) {
      if (have[n]) continue;
      var first = (n - 1) * st.part_size;
      var blob = f.slice(first, Math.min(f.size, first + st.part_size));
      var p = await call(item, 'PUT', uploadsURL + st.id + '/parts/' + n, blob, function (loaded) { progress(item, loaded); });
      if (!p) return;
      if (p.status !== 200) return fail(item, p);
      item.done += blob.size;
      progress(item, 0);
    }
    setStatus(item, t('finishing'), 'finishing');
    var done = await call(item, 'POST', uploadsURL + st.id + '/complete');
    if (!done) return;
    forget(f);
    if (done.status !== 200) return fail(item, done);
    item.bar.value = item.bar.max;
    item.pauseBtn.hidden = true;
    item.li.querySelector('.actions').hidden = true;
    setStatus(item, t('done'), 'done');
    item.finished = true;
    if (!busy()) {
      setTimeout(function () { window.location.reload(); }, 1500);
    }
  }
  function fail(item, r) {
    item.failed = true;
    forget(item.file);
    setStatus(item, t('failed') + ': ' + problemText(r), 'failed');
    item.pauseBtn.hidden = true;
  }
})();
