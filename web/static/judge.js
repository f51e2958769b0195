// The review page, enhanced: keyboard scoring on any scale, a slider beside
// long scales, autosaved drafts, and zoom and pan on the picture. The page
// works without this script; it only makes judging quicker.
(function () {
  "use strict";

  // ------------------------------------------------------------ zoom and pan

  // Clicking the picture (or Enter or Space on it) zooms in on the point
  // clicked; dragging, the wheel or the arrow keys move around; clicking
  // again or Esc zooms out. Without the script the picture is a link to the
  // full-size judge copy.
  var ZOOM = 2.5;
  Array.prototype.forEach.call(document.querySelectorAll(".zoom-frame"), function (frame) {
    var link = frame.querySelector("a.zoom");
    var img = link && link.querySelector("img");
    if (!img) return;
    var fig = frame.parentNode;
    var hint = fig.querySelector(".zoom-hint");
    if (hint) hint.hidden = false;
    link.setAttribute("role", "button");
    link.setAttribute("aria-pressed", "false");
    img.draggable = false;
    var zoomed = false;
    var drag = null;
    var moved = false;
    var full = link.dataset.full;

    function sharpen() {
      // The full-resolution judge copy, once it has arrived.
      if (!full || img.getAttribute("src") === full) return;
      var pre = new Image();
      pre.src = full;
      (pre.decode ? pre.decode() : Promise.resolve()).then(function () {
        img.src = full;
      }).catch(function () { /* keep the preview */ });
    }
    function zoomIn(fx, fy) {
      var w = img.clientWidth;
      var h = img.clientHeight;
      frame.style.height = frame.clientHeight + "px";
      img.style.width = Math.round(w * ZOOM) + "px";
      frame.classList.add("zoomed");
      zoomed = true;
      link.setAttribute("aria-pressed", "true");
      frame.scrollLeft = fx * w * ZOOM - frame.clientWidth / 2;
      frame.scrollTop = fy * h * ZOOM - frame.clientHeight / 2;
      sharpen();
    }
    function zoomOut() {
      frame.classList.remove("zoomed");
      img.style.width = "";
      frame.style.height = "";
      zoomed = false;
      link.setAttribute("aria-pressed", "false");
    }
    link.addEventListener("click", function (ev) {
      if (ev.ctrlKey || ev.metaKey || ev.shiftKey || ev.altKey) return; // open it elsewhere
      ev.preventDefault();
      if (moved) {
        moved = false;
        return;
      }
      if (zoomed) {
        zoomOut();
        return;
      }
      var r = img.getBoundingClientRect();
      var fx = 0.5;
      var fy = 0.5;
      if (ev.detail && r.width && r.height) { // a pointer, not the keyboard
        fx = Math.min(1, Math.max(0, (ev.clientX - r.left) / r.width));
        fy = Math.min(1, Math.max(0, (ev.clientY - r.top) / r.height));
      }
      zoomIn(fx, fy);
    });
    link.addEventListener("keydown", function (ev) {
      if (ev.altKey || ev.ctrlKey || ev.metaKey) return;
      if (ev.key === " ") {
        ev.preventDefault();
        link.click();
        return;
      }
      if (!zoomed) return;
      var dx = 0;
      var dy = 0;
      switch (ev.key) {
        case "Escape": ev.preventDefault(); zoomOut(); return;
        case "ArrowLeft": dx = -1; break;
        case "ArrowRight": dx = 1; break;
        case "ArrowUp": dy = -1; break;
        case "ArrowDown": dy = 1; break;
        default: return;
      }
      ev.preventDefault();
      frame.scrollBy(dx * frame.clientWidth * 0.2, dy * frame.clientHeight * 0.2);
    });
    link.addEventListener("dragstart", function (ev) { ev.preventDefault(); });
    // Mouse and pen drag; a finger pans the frame natively.
    frame.addEventListener("pointerdown", function (ev) {
      moved = false;
      if (!zoomed || ev.pointerType === "touch" || ev.button !== 0) return;
      drag = { x: ev.clientX, y: ev.clientY, left: frame.scrollLeft, top: frame.scrollTop };
    });
    window.addEventListener("pointermove", function (ev) {
      if (!drag) return;
      var dx = ev.clientX - drag.x;
      var dy = ev.clientY - drag.y;
      if (!moved && Math.abs(dx) + Math.abs(dy) < 5) return;
      moved = true;
      frame.classList.add("dragging");
      frame.scrollLeft = drag.left - dx;
      frame.scrollTop = drag.top - dy;
    });
    window.addEventListener("pointerup", function () {
      drag = null;
      frame.classList.remove("dragging");
    });
  });

  // --------------------------------------------------------- the rubric

  var form = document.getElementById("review-form");
  if (!form) return;
  var sets = Array.prototype.slice.call(form.querySelectorAll("fieldset.criterion"));
  var status = document.getElementById("autosave-status");
  var rtl = document.documentElement.dir === "rtl";

  // A slider beside the number field of a long scale (0–100), for a mouse
  // or a finger; the number field stays what is sent and what is read out.
  sets.forEach(function (set) {
    var n = set.querySelector("input.mark-number");
    if (!n) return;
    var range = document.createElement("input");
    range.type = "range";
    range.min = n.min;
    range.max = n.max;
    range.step = "1";
    range.value = n.value === "" ? n.min : n.value;
    range.classList.toggle("unset", n.value === "");
    range.tabIndex = -1;
    range.setAttribute("aria-hidden", "true");
    n.parentNode.appendChild(range);
    range.addEventListener("input", function () {
      n.value = range.value;
      n.dispatchEvent(new Event("input", { bubbles: true }));
    });
    range.addEventListener("change", function () {
      n.dispatchEvent(new Event("change", { bubbles: true }));
    });
    n.addEventListener("input", function () {
      if (n.value !== "") range.value = n.value;
      range.classList.toggle("unset", n.value === "");
    });
  });

  function scaleOf(set) {
    return { min: parseInt(set.dataset.min, 10), max: parseInt(set.dataset.max, 10) };
  }
  function markOf(set) {
    var c = set.querySelector("input[type=radio]:checked");
    if (c) return parseInt(c.value, 10);
    var n = set.querySelector("input.mark-number");
    if (n && n.value !== "" && !isNaN(parseInt(n.value, 10))) return parseInt(n.value, 10);
    return null;
  }
  // setMark marks v in a criterion, as if the judge had picked it.
  function setMark(set, v) {
    var n = set.querySelector("input.mark-number");
    if (n) {
      n.value = String(v);
      n.dispatchEvent(new Event("input", { bubbles: true }));
      n.dispatchEvent(new Event("change", { bubbles: true }));
      return;
    }
    var r = set.querySelector('input[type=radio][value="' + v + '"]');
    if (!r) return;
    r.checked = true;
    r.focus();
    r.dispatchEvent(new Event("change", { bubbles: true }));
  }
  function focusSet(set) {
    var el = set.querySelector("input:checked") || set.querySelector("input.mark-number") || set.querySelector("input");
    if (el) el.focus();
  }
  // moveOn takes the focus to the next (or previous) criterion, after the
  // last one to the first button.
  function moveOn(set, dir) {
    var next = sets[sets.indexOf(set) + dir];
    if (next) {
      focusSet(next);
      return;
    }
    if (dir > 0) {
      var b = form.querySelector(".actions button");
      if (b) b.focus();
    }
  }

  // Digits typed within DIGIT_MS of each other make one number: 1 then 0
  // is 10, 7 then 5 is 75. The mark is set as the digits come; once no
  // further digit could make a mark on the scale (or the pause ends), the
  // next criterion takes the focus. On a scale that starts at 1, 0 alone
  // is 10.
  var DIGIT_MS = 700;
  var typed = { set: null, text: "", at: 0 };
  var typedTimer = null;
  function digit(set, d) {
    var now = Date.now();
    var sc = scaleOf(set);
    var text = typed.set === set && now - typed.at < DIGIT_MS ? typed.text + d : d;
    if (parseInt(text, 10) > sc.max) text = d; // too long: start again
    if (text === "0" && sc.min > 0 && sc.max >= 10) text = "10";
    var v = parseInt(text, 10);
    typed = { set: set, text: text, at: now };
    clearTimeout(typedTimer);
    var valid = v >= sc.min && v <= sc.max;
    if (valid) setMark(set, v);
    var more = v !== 0 && v * 10 <= sc.max;
    if (!more) {
      typed.set = null;
      if (valid) moveOn(set, 1);
      return;
    }
    typedTimer = setTimeout(function () {
      typed.set = null;
      if (valid && set.contains(document.activeElement)) moveOn(set, 1);
    }, DIGIT_MS);
  }
  // bump moves a criterion's mark by step, within its scale.
  function bump(set, step) {
    var sc = scaleOf(set);
    var v = markOf(set);
    if (v === null) {
      var f = document.activeElement;
      v = f && f.type === "radio" && set.contains(f) ? parseInt(f.value, 10) : (step > 0 ? sc.min : sc.max);
    } else {
      v += step;
    }
    setMark(set, Math.min(sc.max, Math.max(sc.min, v)));
  }
  function stepFor(key) {
    switch (key) {
      case "ArrowUp": return 1;
      case "ArrowDown": return -1;
      case "ArrowRight": return rtl ? -1 : 1;
      case "ArrowLeft": return rtl ? 1 : -1;
      case "PageUp": return 10;
      case "PageDown": return -10;
    }
    return 0;
  }
  form.addEventListener("keydown", function (ev) {
    if (ev.altKey || ev.ctrlKey || ev.metaKey) return;
    var t = ev.target;
    if (t.tagName !== "INPUT") return;
    var set = t.closest && t.closest("fieldset.criterion");
    if (!set || set.disabled) return;
    if (/^[0-9]$/.test(ev.key)) {
      ev.preventDefault();
      digit(set, ev.key);
      return;
    }
    var sc = scaleOf(set);
    var step = stepFor(ev.key);
    if (step) {
      ev.preventDefault();
      typed.set = null;
      bump(set, step);
    } else if (ev.key === "Home" || ev.key === "End") {
      ev.preventDefault();
      setMark(set, ev.key === "Home" ? sc.min : sc.max);
    } else if (ev.key === "Enter") {
      // The next criterion, never an accidental submission.
      ev.preventDefault();
      clearTimeout(typedTimer);
      typed.set = null;
      moveOn(set, ev.shiftKey ? -1 : 1);
    }
  });

  // ------------------------------------------------------------ autosave

  // A draft (never a submission) is saved a moment after each change, and
  // at once when the judge leaves for another entry.
  if (form.dataset.autosave !== "on" || !window.fetch) return;
  var timer = null;
  var pending = false;
  function collect() {
    var scores = {};
    sets.forEach(function (set) {
      var v = markOf(set);
      var el = set.querySelector("input[type=radio], input.mark-number");
      if (v !== null && el) scores[el.name.slice(2)] = v;
    });
    return {
      scores: scores,
      note: form.elements.note ? form.elements.note.value : "",
      feedback: form.elements.feedback ? form.elements.feedback.value : "",
      submit: false
    };
  }
  function save(leaving) {
    clearTimeout(timer);
    pending = false;
    var req = fetch(form.dataset.api, {
      method: "PUT",
      credentials: "same-origin",
      keepalive: !!leaving,
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify(collect())
    });
    if (leaving) return;
    req.then(function (r) {
      status.textContent = r.ok ? form.dataset.saved : form.dataset.failed;
    }).catch(function () {
      status.textContent = form.dataset.failed;
    });
  }
  function later() {
    clearTimeout(timer);
    pending = true;
    timer = setTimeout(function () { save(false); }, 600);
  }
  form.addEventListener("change", later);
  form.addEventListener("input", function (ev) {
    var t = ev.target;
    if (t.tagName === "TEXTAREA" || (t.classList && t.classList.contains("mark-number"))) later();
  });
  // A form submission carries everything itself.
  form.addEventListener("submit", function () {
    clearTimeout(timer);
    pending = false;
  });
  // Leaving for the previous or next entry (or closing the page) saves
  // what is waiting first.
  Array.prototype.forEach.call(document.querySelectorAll("a[data-nav]"), function (a) {
    a.addEventListener("click", function () {
      if (pending) save(true);
    });
  });
  window.addEventListener("pagehide", function () {
    if (pending) save(true);
  });
})();
