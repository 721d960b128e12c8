import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { CountingSource, HttpOpener, isFormatError, MemoryOpener, type FetchLike, type RangeSource, type SourceOpener } from '@tfsave/core';
import { DirOpener } from '@tfsave/core/node';
import { BundleReader, MemoryBundleSinkFactory, readObjectTree, rewriteBundle } from '../src/index.js';
import { openBundle } from '../src/node/index.js';
import { allBundles, fixtures, wild } from './helpers.js';

const bundles = allBundles();

test('there are real bundles to test (fixtures and ../shared/wild)', () => {
  assert.ok(bundles.length >= 20, `found only ${bundles.length} bundles`);
});

test('every fixture and wild bundle opens and every block and tensor checksum verifies', async () => {
  for (const prefix of bundles) {
    const r = await openBundle(prefix);
    try {
      const n = await r.verifyAll();
      assert.ok(n > 0, prefix);
      for (const e of r.entries()) await r.readTensor(e.name);
    } finally {
      await r.close();
    }
  }
});

test('inspect JSON of every fixture bundle matches the per-tensor sha256 in fixtures/MANIFEST.json', async () => {
  const manifestPath = join(fixtures, 'MANIFEST.json');
  assert.ok(existsSync(manifestPath), 'fixtures/MANIFEST.json exists (npm run fixtures)');
  const cases = JSON.parse(readFileSync(manifestPath, 'utf8')).cases as Record<string, { tensors?: Record<string, { kind: string; tensors: unknown[] }> }>;
  let checked = 0;
  for (const [name, c] of Object.entries(cases)) {
    for (const [rel, entry] of Object.entries(c.tensors ?? {})) {
      if (entry.kind !== 'tensor-bundle') continue;
      const r = await openBundle(join(fixtures, name, rel));
      const json = await r.inspectJson();
      await r.close();
      const sort = (xs: unknown[]) => [...xs].sort((a, b) => ((a as { name: string }).name < (b as { name: string }).name ? -1 : 1));
      assert.deepEqual(sort(json.entries), sort(entry.tensors), `${name}/${rel}`);
      checked++;
    }
  }
  assert.ok(checked >= 5, `only ${checked} bundles in the manifest`);
});

test('re-encoding every bundle gives byte-identical .index and .data files', async () => {
  let identical = 0;
  for (const prefix of bundles) {
    const r = await openBundle(prefix);
    const out = new MemoryBundleSinkFactory();
    await rewriteBundle(r, out, 'x');
    await r.close();
    for (const [name, bytes] of out.files) {
      const original = readFileSync(join(dirname(prefix), basename(prefix) + name.slice(1)));
      if (name.endsWith('.index') && r.compressedIndex) {
        // Written by TF < 1.1 with snappy-compressed index blocks; TF has written
        // uncompressed tables since, and so do we: same entries, different block bytes.
        const again = await BundleReader.open(new MemoryOpener(out.files), 'x');
        assert.deepEqual(again.rawEntries, r.rawEntries, prefix);
        continue;
      }
      assert.ok(Buffer.compare(original, Buffer.from(bytes)) === 0, `${relative(dirname(wild), prefix)}: ${name} differs (${original.length} vs ${bytes.length} bytes)`);
    }
    identical++;
  }
  assert.equal(identical, bundles.length);
});

test('snappy-compressed index blocks from old TF Serving test models are read and verified', async () => {
  const prefix = join(wild, 'b_savedmodel/tfserving/saved_model_half_plus_two_cpu/00000123/variables/variables');
  const r = await openBundle(prefix);
  assert.equal(r.compressedIndex, true);
  assert.deepEqual(r.entries().map((e) => e.name).sort(), ['a', 'a2', 'b', 'c', 'c2']);
  const a = await r.readTensor('a');
  assert.equal(a.dtype, 'float32');
  assert.deepEqual([...(a.data as Float32Array)], [0.5]);
  await r.close();
});

test('a pre-2016 V1 checkpoint is refused with "unsupported V1 checkpoint"', async () => {
  const dir = join(wild, 'a_checkpoint/legacy_v1_tensorslice_tfserving/00000123');
  await assert.rejects(BundleReader.open(new DirOpener(dir), 'export-00000-of-00001'), (e: unknown) => {
    assert.ok(isFormatError(e));
    assert.equal(e.kind, 'unsupported');
    assert.match(e.message, /unsupported V1 checkpoint/);
    return true;
  });
});

class CountingOpener implements SourceOpener {
  readonly sources = new Map<string, CountingSource>();
  constructor(readonly inner: SourceOpener) {}
  get name(): string {
    return this.inner.name;
  }
  async open(p: string): Promise<RangeSource> {
    const s = new CountingSource(await this.inner.open(p));
    this.sources.set(p, s);
    return s;
  }
  exists(p: string): Promise<boolean> {
    return this.inner.exists(p);
  }
}

test('reading one tensor touches only the footer, the index blocks and that tensor\'s bytes', async () => {
  const prefix = join(fixtures, 'tutorial-tf-keras/training_1/cp.ckpt');
  const opener = new CountingOpener(new DirOpener(dirname(prefix)));
  const r = await BundleReader.open(opener, basename(prefix));
  const index = opener.sources.get('cp.ckpt.index')!;
  // footer + index block + one data block (this index fits in one block)
  assert.equal(index.reads, 3);
  assert.equal(index.bytesRead, index.byteLength - (8 + 5)); // all but the empty metaindex block
  assert.equal(opener.sources.size, 1, 'no data shard opened yet');
  const name = 'layer_with_weights-1/bias/.ATTRIBUTES/VARIABLE_VALUE';
  const t = await r.readTensor(name);
  const data = opener.sources.get('cp.ckpt.data-00000-of-00001')!;
  assert.equal(data.reads, 1);
  assert.deepEqual(data.ranges, [[r.entry(name).offset, 40]]);
  assert.deepEqual(t.shape, [10]);
  await r.close();
});

test('object tree of a tf_keras checkpoint names objects, optimizer variables and has no save_counter', async () => {
  const r = await openBundle(join(fixtures, 'tutorial-tf-keras/training_1/cp.ckpt'));
  const tree = (await readObjectTree(r))!;
  const byKey = new Map(tree.keys.map((k) => [k.checkpointKey, k]));
  assert.equal(byKey.get('layer_with_weights-0/kernel/.ATTRIBUTES/VARIABLE_VALUE')?.objectPath, 'layer_with_weights-0/kernel');
  assert.equal(byKey.get('layer_with_weights-0/kernel/.ATTRIBUTES/VARIABLE_VALUE')?.fullName, 'dense/kernel');
  assert.equal(byKey.get('optimizer/_variables/1/.ATTRIBUTES/VARIABLE_VALUE')?.fullName, 'Adam/m/dense/kernel');
  assert.equal(byKey.size, 14);
  for (const k of tree.keys) assert.ok(r.has(k.checkpointKey), k.checkpointKey);
  await r.close();
});

test('object tree of a TF2 CheckpointManager checkpoint includes save_counter', async () => {
  const r = await openBundle(join(wild, 'a_checkpoint/a2c_ckptmanager_2025/ckpt-9'));
  const tree = (await readObjectTree(r))!;
  const sc = tree.keys.find((k) => k.checkpointKey === 'save_counter/.ATTRIBUTES/VARIABLE_VALUE');
  assert.equal(sc?.objectPath, 'save_counter');
  const v = await r.readTensor('save_counter/.ATTRIBUTES/VARIABLE_VALUE');
  assert.deepEqual([...(v.data as BigInt64Array)], [9n]);
  await r.close();
});

test('partitioned variables are reassembled from their slices', async () => {
  const r = await openBundle(join(fixtures, 'dtypes/raw/bundle'));
  const info = r.entries().find((e) => e.name === 'sliced')!;
  assert.equal(info.partitioned, true);
  assert.deepEqual(info.shape, [4, 6]);
  const t = await r.readTensor('sliced');
  assert.equal((t.data as Float32Array).length, 24);
  await r.close();
});

test('a bundle reads over HTTP range requests through an injected fetch, fetching only what it needs', async () => {
  const dir = join(fixtures, 'tutorial-tf-keras/training_1');
  const requests: string[] = [];
  const fetchFn: FetchLike = async (url, init) => {
    const file = readFileSync(join(dir, url.slice('https://example.test/ckpt/'.length)));
    const range = init?.headers?.['Range'];
    requests.push(`${init?.method ?? 'GET'} ${url.split('/').pop()} ${range ?? ''}`);
    const m = range === undefined ? undefined : /bytes=(\d+)-(\d+)/.exec(range);
    const body = m ? file.subarray(Number(m[1]), Number(m[2]) + 1) : file;
    return {
      ok: true,
      status: m ? 206 : 200,
      headers: { get: (h: string) => (h.toLowerCase() === 'content-length' ? String(file.length) : null) },
      arrayBuffer: async () => body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) as ArrayBuffer,
    };
  };
  const r = await BundleReader.open(new HttpOpener('https://example.test/ckpt/', fetchFn), 'cp.ckpt');
  const t = await r.readTensor('layer_with_weights-1/bias/.ATTRIBUTES/VARIABLE_VALUE');
  assert.deepEqual(t.shape, [10]);
  const ranged = requests.filter((q) => q.startsWith('GET'));
  assert.equal(ranged.length, 4, requests.join('\n')); // footer, index block, data block, one tensor
  assert.ok(ranged[3]!.startsWith('GET cp.ckpt.data-00000-of-00001 bytes='));
});
