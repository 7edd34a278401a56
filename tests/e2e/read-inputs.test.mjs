// The report page's file reading (crates/web/js/drop.js, read_inputs), run in Node on real
// File objects: every input comes back, in order, under its name; a file the browser cannot
// read is an item with the reason, and the others are still read and transferred.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { read_inputs } from '../../crates/web/js/drop.js';

const bytes = (s) => new TextEncoder().encode(s);
const text = (b) => new TextDecoder().decode(b);

/** A File whose read fails as a browser's does when the file went away after the pick. */
function gone(name) {
  const f = new File([bytes('never read')], name);
  Object.defineProperty(f, 'arrayBuffer', { value: () => Promise.reject(new DOMException('A requested file or directory could not be found', 'NotFoundError')) });
  return f;
}

test('every input comes back in order under its name, a failed read as its reason', async () => {
  const picked = new File([bytes('{"a":1}')], 'a.json');
  Object.defineProperty(picked, 'webkitRelativePath', { value: 'reports/2024/a.json' });
  const sources = [
    picked,
    new File([bytes('{"b":2}')], 'b.json'),
    gone('c.json.gz'),
    bytes('{"d":4}').buffer,
    new File([bytes('{"e":5}')], 'stored-name-ignored.json'),
  ];
  const names = [undefined, undefined, undefined, 'sample.json', 'kept/e.json'];
  const { items, transfer } = await read_inputs(sources, names, 2);
  assert.deepEqual(items.map((i) => i.name), ['reports/2024/a.json', 'b.json', 'c.json.gz', 'sample.json', 'kept/e.json']);
  assert.deepEqual(items.map((i) => (i.bytes ? text(i.bytes) : null)), ['{"a":1}', '{"b":2}', null, '{"d":4}', '{"e":5}']);
  assert.equal(items[2].error, 'cannot read the file: A requested file or directory could not be found');
  // The buffers to transfer are exactly the ones read, in input order.
  assert.deepEqual(transfer, items.filter((i) => i.bytes).map((i) => i.bytes));
});

test('a run bigger than one task of starts is read whole', async () => {
  const sources = Array.from({ length: 70 }, (_, i) => new File([bytes(String(i))], `${i}.json`));
  const { items, transfer } = await read_inputs(sources, [], 16);
  assert.equal(items.length, 70);
  assert.equal(transfer.length, 70);
  assert.deepEqual(items.map((i) => text(i.bytes)), sources.map((_, i) => String(i)));
});
