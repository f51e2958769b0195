// Keyboard scoring and autosaved drafts on the review page. The form works
// without this script; it only makes scoring quicker.
(function () {
  "use strict";
  var form = document.getElementById("review-form");
  if (!form) return;
  var sets = Array.prototype.slice.call(form.querySelectorAll("fieldset.criterion"));
  var status = document.getElementById("autosave-status");

  // A digit picks that mark in the criterion holding the focus (0 means 10)
  // and moves on to the next criterion.
  form.addEventListener("keydown", function (ev) {
    if (ev.altKey || ev.ctrlKey || ev.metaKey) return;
    if (!/^[0-9]$/.test(ev.key)) return;
    var t = ev.target;
    if (t.tagName === "TEXTAREA") return;
    var set = t.closest && t.closest("fieldset.criterion");
    if (!set) return;
    var want = ev.key === "0" ? "10" : ev.key;
    var input = set.querySelector('input[type=radio][value="' + want + '"]');
    if (!input) return;
    ev.preventDefault();
    input.checked = true;
    input.dispatchEvent(new Event("change", { bubbles: true }));
    var i = sets.indexOf(set);
    var next = sets[i + 1];
    if (next) {
      var first = next.querySelector("input:checked") || next.querySelector("input");
      if (first) first.focus();
    } else {
      var submit = form.querySelector('button[value="submit"]');
      if (submit) submit.focus();
    }
  });

  // Autosave a draft (never a submission) a moment after each change.
  if (form.dataset.autosave !== "on" || !window.fetch) return;
  var timer = null;
  function collect() {
    var scores = {};
    sets.forEach(function (set) {
      var c = set.querySelector("input:checked");
      if (c) scores[c.name.slice(2)] = parseInt(c.value, 10);
    });
    return {
      scores: scores,
      note: form.elements.note ? form.elements.note.value : "",
      feedback: form.elements.feedback ? form.elements.feedback.value : "",
      submit: false
    };
  }
  function save() {
    fetch(form.dataset.api, {
      method: "PUT",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify(collect())
    }).then(function (r) {
      status.textContent = r.ok ? form.dataset.saved : form.dataset.failed;
    }).catch(function () {
      status.textContent = form.dataset.failed;
    });
  }
  function later() {
    clearTimeout(timer);
    timer = setTimeout(save, 600);
  }
  form.addEventListener("change", later);
  form.addEventListener("input", function (ev) {
    if (ev.target.tagName === "TEXTAREA") later();
  });
})();
