/* global document, window */
// Padu: small progressive enhancements of server-rendered forms (no inline scripts; CSP 'self').
// 1. <select data-filter-by="kecamatan_id"> shows only the options whose data-parent is the value
//    chosen in the form's field of that name (kelurahan/desa follow the kecamatan). Without
//    JavaScript every option stays, grouped by parent, and the server checks the pair.
(function () {
  'use strict';
  function filter(child) {
    var form = child.form;
    if (!form) return;
    var parent = form.elements[child.dataset.filterBy];
    if (!parent) return;
    var want = parent.value;
    var groups = child.querySelectorAll('optgroup[data-parent]');
    for (var i = 0; i < groups.length; i++) {
      var show = !want || groups[i].dataset.parent === want;
      groups[i].hidden = !show;
      groups[i].disabled = !show;
    }
    // plain options too: data-parent may list several parents ("luar_kota dalam_kota")
    var opts = child.querySelectorAll('option[data-parent]');
    for (var j = 0; j < opts.length; j++) {
      var ok = !want || opts[j].dataset.parent.split(' ').indexOf(want) >= 0;
      opts[j].hidden = !ok;
      opts[j].disabled = !ok;
    }
    var sel = child.options[child.selectedIndex];
    if (sel && (sel.disabled || (sel.parentNode.tagName === 'OPTGROUP' && sel.parentNode.hidden))) {
      var first = null;
      for (var k = 0; k < child.options.length; k++)
        if (!child.options[k].disabled) {
          first = child.options[k];
          break;
        }
      child.value = first ? first.value : '';
    }
  }
  function all() {
    var list = document.querySelectorAll('select[data-filter-by]');
    for (var i = 0; i < list.length; i++) filter(list[i]);
  }
  document.addEventListener('change', function (e) {
    var t = e.target;
    if (!t || !t.form || !t.name) return;
    var deps = t.form.querySelectorAll('select[data-filter-by="' + t.name + '"]');
    for (var i = 0; i < deps.length; i++) filter(deps[i]);
  });
  document.addEventListener('DOMContentLoaded', all);
  document.addEventListener('htmx:afterSwap', all);
})();

// 2. A box that scrolls sideways (a wide table on a phone, in .table-wrap or the table itself) can be
//    reached with the keyboard and scrolled with the arrow keys: it gets tabindex="0" while it
//    overflows (WCAG 2.1.1; axe "scrollable-region-focusable"). Boxes that fit get no extra tab stop.
(function () {
  'use strict';
  function mark() {
    var list = document.querySelectorAll('.table-wrap, table.data, table.table');
    for (var i = 0; i < list.length; i++) {
      var el = list[i];
      var style = window.getComputedStyle(el);
      var scrolls = (style.overflowX === 'auto' || style.overflowX === 'scroll') && el.scrollWidth > el.clientWidth;
      if (scrolls && !el.hasAttribute('tabindex')) {
        el.setAttribute('tabindex', '0');
        el.dataset.scrollFocus = '1';
      } else if (!scrolls && el.dataset.scrollFocus) {
        el.removeAttribute('tabindex');
        delete el.dataset.scrollFocus;
      }
    }
  }
  var pending = 0;
  function later() {
    if (pending) return;
    pending = window.setTimeout(function () {
      pending = 0;
      mark();
    }, 100);
  }
  document.addEventListener('DOMContentLoaded', mark);
  document.addEventListener('htmx:afterSwap', mark);
  window.addEventListener('resize', later);
})();
