/* global document */
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
