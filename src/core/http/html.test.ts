import { test } from 'node:test';
import assert from 'node:assert/strict';
import { html, raw } from './html.ts';

test('html escapes interpolated values by default', () => {
  const name = '<script>alert(1)</script>';
  assert.equal(html`<p>${name}</p>`.value, '<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>');
  assert.equal(html`<a title="${'" onmouseover="x'}">`.value, '<a title="&quot; onmouseover=&quot;x">');
});

test('nested fragments and arrays are not escaped twice; raw is explicit', () => {
  const items = ['a&b', 'c'].map((s) => html`<li>${s}</li>`);
  assert.equal(html`<ul>${items}</ul>`.value, '<ul><li>a&amp;b</li><li>c</li></ul>');
  assert.equal(html`${raw('<br>')}`.value, '<br>');
  assert.equal(html`${null}${undefined}${false}${0}`.value, '0');
});
