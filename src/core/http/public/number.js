/* global document, window */
// Padu: the one Indonesian number rule in the browser (same rule as src/core/number.ts; both are
// tested against one table in src/core/number.test.ts). Progressive enhancement: every
// <input data-num="integer|decimal|rupiah|percent"> shows what it will be read as ("= 1.000 Kotak")
// or why it cannot be read, as the user types. Without JavaScript the server applies the same rule.
(function (root) {
  'use strict';
  var RULES = { integer: 0, rupiah: 0, decimal: 4, percent: 4 };

  function parseIdNumber(input, kind) {
    var fraction = RULES[kind] === undefined ? 4 : RULES[kind];
    var s = String(input)
      .replace(/[\s\u00a0\u202f]/g, '')
      .replace(/^rp\.?/i, '')
      .replace(/%$/, '');
    if (s === '') return { ok: false, error: 'empty' };
    var neg = false;
    if (s.charAt(0) === '-' || s.charAt(0) === '\u2212') {
      neg = true;
      s = s.slice(1);
    }
    if (s.length > 40) return { ok: false, error: 'too_long' };
    var parts = s.split(',');
    if (parts.length > 2) return { ok: false, error: 'format' };
    var whole = parts[0] || '';
    var frac = parts.length === 2 ? parts[1] : '';
    if (parts.length === 2 && !/^\d+$/.test(frac)) return { ok: false, error: 'format' };
    var digits;
    if (/^\d+$/.test(whole)) digits = whole;
    else if (/^\d{1,3}(?:\.\d{3})+$/.test(whole)) digits = whole.replace(/\./g, '');
    else if (/^\d+(?:\.\d+)+$/.test(whole)) return { ok: false, error: 'ambiguous' };
    else return { ok: false, error: 'format' };
    if (digits.replace(/^0+/, '').length > 15) return { ok: false, error: 'too_long' };
    if (frac.replace(/0+$/, '').length > fraction) return { ok: false, error: 'fraction' };
    var w = digits.replace(/^0+(?=\d)/, '');
    var f = frac.replace(/0+$/, '');
    var v = f ? w + '.' + f : w;
    if (neg && v !== '0') v = '-' + v;
    if (v.charAt(0) === '-') return { ok: false, error: 'negative' };
    return { ok: true, value: v };
  }

  function formatIdNumber(v) {
    var neg = v.charAt(0) === '-';
    var p = (neg ? v.slice(1) : v).split('.');
    return (neg ? '-' : '') + p[0].replace(/\B(?=(\d{3})+(?!\d))/g, '.') + (p[1] ? ',' + p[1] : '');
  }

  root.PaduNumber = { parseIdNumber: parseIdNumber, formatIdNumber: formatIdNumber };
  if (typeof document === 'undefined') return;

  var MSG = {
    id: {
      format: 'bukan angka (contoh: 1.000 atau 1.000,5)',
      ambiguous: 'tidak jelas: titik = ribuan (1.000), koma = desimal (1,5)',
      fraction: 'terlalu banyak angka di belakang koma',
      negative: 'tidak boleh negatif',
      too_long: 'terlalu besar',
    },
    en: {
      format: 'not a number (e.g. 1.000 or 1.000,5)',
      ambiguous: 'ambiguous: dot = thousands (1.000), comma = decimals (1,5)',
      fraction: 'too many digits after the comma',
      negative: 'cannot be negative',
      too_long: 'too large',
    },
  };

  function unitOf(input) {
    if (input.dataset.unit) return input.dataset.unit;
    var ref = input.dataset.unitField;
    if (ref && input.form && input.form.elements[ref]) return input.form.elements[ref].value || '';
    return '';
  }

  function echo(input) {
    var out = input.nextElementSibling;
    if (!out || !out.classList.contains('num-echo')) {
      out = document.createElement('output');
      out.className = 'num-echo';
      out.setAttribute('aria-live', 'polite');
      if (input.id) out.htmlFor = input.id;
      input.insertAdjacentElement('afterend', out);
    }
    var kind = input.dataset.num;
    var lang = document.documentElement.lang === 'en' ? 'en' : 'id';
    var p = parseIdNumber(input.value, kind);
    out.classList.toggle('bad', !p.ok && p.error !== 'empty');
    if (!p.ok) {
      out.textContent = p.error === 'empty' ? '' : MSG[lang][p.error];
      return;
    }
    var unit = unitOf(input);
    var shown = formatIdNumber(p.value);
    out.textContent =
      '= ' + (kind === 'rupiah' ? 'Rp ' + shown : shown) + (kind === 'percent' ? '%' : '') + (unit ? ' ' + unit : '');
  }

  function onInput(e) {
    var t = e.target;
    if (!t || !t.matches) return;
    if (t.matches('input[data-num]')) echo(t);
    else if (t.form && t.name) {
      var dep = t.form.querySelectorAll('input[data-unit-field="' + t.name + '"]');
      for (var i = 0; i < dep.length; i++) if (dep[i].value) echo(dep[i]);
    }
  }

  function scan(scope) {
    var all = (scope || document).querySelectorAll('input[data-num]');
    for (var i = 0; i < all.length; i++) if (all[i].value) echo(all[i]);
  }

  document.addEventListener('input', onInput);
  document.addEventListener('change', onInput);
  document.addEventListener('DOMContentLoaded', function () {
    scan(document);
  });
  document.addEventListener('htmx:afterSwap', function (e) {
    scan(e.target);
  });
})(typeof window !== 'undefined' ? window : globalThis);
