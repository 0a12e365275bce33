/* global document, window, EventSource, CustomEvent, URLSearchParams */
// Command Center pages: live regions (Server-Sent Events → reload the region's fragment), the
// intake form's keyboard helpers (Ctrl+Enter saves; priority from the category; kelurahan filtered
// by kecamatan; duplicate candidates while typing) and confirmations. No inline script (CSP).
(function () {
  'use strict';
  function refresh(el) {
    if (el._busy) {
      el._again = true;
      return;
    }
    el._busy = true;
    fetch(el.dataset.refresh, { headers: { 'HX-Request': 'true' }, credentials: 'same-origin' })
      .then(function (r) {
        return r.ok ? r.text() : null;
      })
      .then(function (t) {
        if (t !== null) {
          el.innerHTML = t;
          el.dispatchEvent(new CustomEvent('cc:refreshed', { bubbles: true }));
        }
      })
      .catch(function () {})
      .then(function () {
        el._busy = false;
        if (el._again) {
          el._again = false;
          refresh(el);
        }
      });
  }
  document.querySelectorAll('[data-live]').forEach(function (el) {
    if (!window.EventSource) return;
    var timer = null;
    var es = new EventSource(el.dataset.live);
    var flag = document.querySelector('.cc-live-flag');
    es.onopen = function () {
      if (flag) flag.classList.add('on');
    };
    es.onerror = function () {
      if (flag) flag.classList.remove('on');
    };
    es.onmessage = function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        refresh(el);
      }, 100);
    };
    // timers move on even when nothing happens
    setInterval(function () {
      refresh(el);
    }, 60000);
  });

  document.addEventListener('submit', function (e) {
    var f = e.target;
    if (f.dataset && f.dataset.confirm && !window.confirm(f.dataset.confirm)) e.preventDefault();
  });

  var form = document.getElementById('cc-intake');
  if (!form) return;
  var cat = form.elements.category_id,
    prio = form.elements.priority;
  var kec = form.elements.kecamatan_id,
    kel = form.elements.kelurahan_id;
  form.addEventListener('keydown', function (e) {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      form.requestSubmit();
    }
  });
  if (cat && prio)
    cat.addEventListener('change', function () {
      var o = cat.options[cat.selectedIndex];
      if (o && o.dataset.priority) prio.value = o.dataset.priority;
    });
  function filterKel() {
    if (!kec || !kel) return;
    Array.prototype.forEach.call(kel.querySelectorAll('optgroup'), function (g) {
      var on = !kec.value || g.dataset.kec === kec.value;
      g.hidden = !on;
      g.disabled = !on;
    });
    var sel = kel.options[kel.selectedIndex];
    if (sel && sel.dataset.kec && kec.value && sel.dataset.kec !== kec.value) kel.value = '';
  }
  if (kec) kec.addEventListener('change', filterKel);
  filterKel();
  var box = document.getElementById('cc-dups'),
    pending = null;
  function dups() {
    if (!cat.value || !kec.value || form.querySelector('button[name=merge_into]')) return;
    var p = new URLSearchParams();
    ['category_id', 'kecamatan_id', 'kelurahan_id', 'lat', 'lon'].forEach(function (n) {
      if (form.elements[n].value) p.set(n, form.elements[n].value);
    });
    fetch(form.dataset.dups + '?' + p, { headers: { 'HX-Request': 'true' }, credentials: 'same-origin' })
      .then(function (r) {
        return r.ok ? r.text() : '';
      })
      .then(function (t) {
        box.innerHTML = t;
      })
      .catch(function () {});
  }
  ['category_id', 'kecamatan_id', 'kelurahan_id', 'lat', 'lon'].forEach(function (n) {
    form.elements[n].addEventListener('change', function () {
      clearTimeout(pending);
      pending = setTimeout(dups, 150);
    });
  });
})();
