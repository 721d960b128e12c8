import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CountingSource, HttpSource, MemorySource, isFormatError, type FetchLike } from '../src/index.js';
import { AtomicDirSinkFactory, FileSource, PARALLEL_READ_FROM, writeFileAtomic } from '../src/node/index.js';

test('a memory source refuses reads past the end with a truncated FormatError', async () => {
  const s = new MemorySource(new Uint8Array(10), 'm.bin');
  assert.deepEqual(await s.read(8, 2), new Uint8Array(2));
  await assert.rejects(s.read(8, 3), (e: unknown) => isFormatError(e) && e.kind === 'truncated' && e.path === 'm.bin');
});

test('a file source reads exactly the requested range and counts through a CountingSource', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tfsave-core-'));
  const p = join(dir, 'f.bin');
  writeFileSync(p, Uint8Array.from({ length: 100 }, (_, i) => i));
  const src = new CountingSource(await FileSource.open(p));
  assert.equal(src.byteLength, 100);
  assert.deepEqual([...(await src.read(10, 3))], [10, 11, 12]);
  assert.equal(src.reads, 1);
  assert.equal(src.bytesRead, 3);
  await assert.rejects(src.read(99, 2), (e: unknown) => isFormatError(e));
  await src.close();
  await assert.rejects(FileSource.open(join(dir, 'missing')), (e: unknown) => isFormatError(e) && e.code === 'not-found');
});

test('a file source fills a caller\'s buffer in place with readInto, leaving the bytes around the view alone', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tfsave-core-'));
  const p = join(dir, 'f.bin');
  writeFileSync(p, Uint8Array.from({ length: 100 }, (_, i) => i));
  const src = await FileSource.open(p);
  const target = new Uint8Array(8).fill(0xee);
  await src.readInto(95, target.subarray(2, 7));
  assert.deepEqual([...target], [0xee, 0xee, 95, 96, 97, 98, 99, 0xee]);
  await assert.rejects(src.readInto(96, new Uint8Array(5)), (e: unknown) => isFormatError(e) && e.code === 'read-past-end');
  await src.close();
  await assert.rejects(src.readInto(0, new Uint8Array(1)), (e: unknown) => isFormatError(e) && e.code === 'closed');
  await assert.rejects(src.read(0, 1), (e: unknown) => isFormatError(e) && e.code === 'closed');
});

test('large file reads (split in two parallel positioned reads) return exactly the file\'s bytes; a file cut short after open is a short-read', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tfsave-core-'));
  const p = join(dir, 'big.bin');
  const bytes = Uint8Array.from({ length: PARALLEL_READ_FROM + 12_345 }, (_, i) => (i * 2654435761) >>> 24);
  writeFileSync(p, bytes);
  const src = await FileSource.open(p);
  for (const [off, len] of [[0, PARALLEL_READ_FROM - 1], [1, PARALLEL_READ_FROM], [7, PARALLEL_READ_FROM + 1], [0, bytes.length]] as const) {
    assert.ok(Buffer.from(await src.read(off, len)).equals(Buffer.from(bytes.subarray(off, off + len))), `read ${off} +${len}`);
    const target = new Uint8Array(len + 2);
    await src.readInto(off, target.subarray(1, len + 1));
    assert.ok(Buffer.from(target.subarray(1, len + 1)).equals(Buffer.from(bytes.subarray(off, off + len))), `readInto ${off} +${len}`);
    assert.deepEqual([target[0], target[len + 1]], [0, 0]);
  }
  truncateSync(p, 1 << 20);
  await assert.rejects(src.read(0, bytes.length), (e: unknown) => isFormatError(e) && e.code === 'short-read' && e.kind === 'truncated');
  await src.close();
});

test('an HTTP source issues one Range request per read', async () => {
  const body = Uint8Array.from({ length: 50 }, (_, i) => i * 2);
  const seen: string[] = [];
  const fetchFn: FetchLike = async (_url, init) => {
    const range = init?.headers?.['Range'];
    seen.push(init?.method ?? `GET ${range}`);
    const headers = { get: (n: string) => (n.toLowerCase() === 'content-length' ? String(body.length) : null) };
    if (init?.method === 'HEAD') return { ok: true, status: 200, headers, arrayBuffer: async () => new ArrayBuffer(0) };
    const [a, b] = /bytes=(\d+)-(\d+)/.exec(range ?? '')!.slice(1).map(Number) as [number, number];
    return { ok: true, status: 206, headers, arrayBuffer: async () => body.slice(a, b + 1).buffer };
  };
  const s = await HttpSource.open('http://127.0.0.1/x', fetchFn);
  assert.deepEqual([...(await s.read(5, 2))], [10, 12]);
  assert.deepEqual(seen, ['HEAD', 'GET bytes=5-6']);
});

test('atomic saves publish nothing until commit and leave no temp files after abort', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tfsave-atomic-'));
  writeFileSync(join(dir, 'a.txt'), 'old');
  const f = new AtomicDirSinkFactory(dir);
  const s = await f.create('a.txt');
  await s.write(new TextEncoder().encode('new'));
  await s.close();
  assert.equal(readFileSync(join(dir, 'a.txt'), 'utf8'), 'old');
  await f.commit();
  assert.equal(readFileSync(join(dir, 'a.txt'), 'utf8'), 'new');
  const g = new AtomicDirSinkFactory(dir);
  await (await g.create('b.txt')).write(new Uint8Array([1]));
  await g.abort();
  assert.deepEqual(readdirSync(dir), ['a.txt']);
  await writeFileAtomic(join(dir, 'c.txt'), new Uint8Array([65]));
  assert.equal(readFileSync(join(dir, 'c.txt'), 'utf8'), 'A');
});
