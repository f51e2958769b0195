// Tessera: progressive enhancement only. Every page reads and works without
// this file; it shows deadlines in the reader's own time zone, adds copy
// buttons, guesses a new competition's time zone and moves focus to a form's
// error summary.
(function () {
  'use strict';

  // The page's language, in the reader's own variant when it is one of
  // theirs (en-GB dates for a British reader of the English pages).
  var lang = document.documentElement.lang || undefined;
  var nav = navigator.language;
  if (lang && nav && nav.split('-')[0] === lang) lang = nav;

  function show(el) { el.hidden = false; }
  function hide(el) { el.hidden = true; }

  // <time datetime="RFC 3339" data-local> shows UTC without script; rewrite
  // it in the browser's zone and swap the label that says which zone it is.
  function localTimes() {
    var fmt;
    try {
      fmt = new Intl.DateTimeFormat(lang, {
        weekday: 'long', year: 'numeric', month: 'long', day: 'numeric',
        hour: '2-digit', minute: '2-digit', timeZoneName: 'short'
      });
    } catch (e) {
      return;
    }
    var els = document.querySelectorAll('time[data-local]');
    for (var i = 0; i < els.length; i++) {
      var el = els[i];
      var d = new Date(el.getAttribute('datetime'));
      if (isNaN(d.getTime())) continue;
      el.textContent = fmt.format(d);
      var group = el.closest('[data-local-group]');
      if (!group) continue;
      group.querySelectorAll('[data-when-js]').forEach(show);
      group.querySelectorAll('[data-when-nojs]').forEach(hide);
    }
  }

  // <button data-copy="input-id" hidden> copies that input's value.
  function copyButtons() {
    document.querySelectorAll('button[data-copy]').forEach(function (btn) {
      var input = document.getElementById(btn.getAttribute('data-copy'));
      if (!input) return;
      var label = btn.textContent;
      show(btn);
      btn.addEventListener('click', function () {
        var done = function () {
          btn.textContent = btn.getAttribute('data-copied') || label;
          setTimeout(function () { btn.textContent = label; }, 2000);
        };
        input.select();
        if (navigator.clipboard && navigator.clipboard.writeText) {
          navigator.clipboard.writeText(input.value).then(done, function () {
            if (document.execCommand('copy')) done();
          });
        } else if (document.execCommand('copy')) {
          done();
        }
      });
    });
  }

  function pad(n) { return (n < 10 ? '0' : '') + n; }

  // On a blank new-competition form, use the browser's zone and its current
  // time instead of UTC.
  function guessZone() {
    var zone = document.querySelector('input[data-guess-zone]');
    if (!zone || zone.value !== 'UTC') return;
    var guess;
    try {
      guess = Intl.DateTimeFormat().resolvedOptions().timeZone;
    } catch (e) {
      return;
    }
    if (!guess) return;
    zone.value = guess;
    var opens = document.querySelector('input[data-guess-now]');
    if (opens) {
      var n = new Date();
      opens.value = n.getFullYear() + '-' + pad(n.getMonth() + 1) + '-' + pad(n.getDate()) +
        'T' + pad(n.getHours()) + ':' + pad(n.getMinutes());
    }
  }

  function focusErrors() {
    var summary = document.getElementById('error-summary');
    if (summary) summary.focus();
  }

  localTimes();
  copyButtons();
  guessZone();
  focusErrors();
})();
