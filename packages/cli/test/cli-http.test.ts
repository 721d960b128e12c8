/**
 * URLs through HTTP range requests, against a local server on 127.0.0.1 that
 * counts the bytes it serves per file.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { readFileSync, statSync } from 'node:fs';
import { join, normalize } from 'node:path';
import type { AddressInfo } from 'node:net';
import { FIXTURES, tfsave, tfsaveAsync } from './helpers.js';

const served = new Map<string, number>();
let server: Server;
let base = '';

before(async () => {
  server = createServer((req, res) => {
    const rel = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)).replace(/^\/+/, '');
    const path = join(FIXTURES, rel);
    let isFile = false;
    try {
      isFile = statSync(path).isFile();
    } catch {
      isFile = false;
    }
    if (rel.includes('..') || !isFile) {
      res.writeHead(404).end();
      return;
    }
    const bytes = readFileSync(path);
    if (req.method === 'HEAD') {
      res.writeHead(200, { 'Content-Length': bytes.length, 'Accept-Ranges': 'bytes' }).end();
      return;
    }
    const m = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '');
    const [start, end] = m === null ? [0, bytes.length - 1] : [Number(m[1]), Math.min(Number(m[2]), bytes.length - 1)];
    const body = bytes.subarray(start, end + 1);
    served.set(rel, (served.get(rel) ?? 0) + body.length);
    res.writeHead(m === null ? 200 : 206, { 'Content-Length': body.length, ...(m === null ? {} : { 'Content-Range': `bytes ${start}-${end}/${bytes.length}` }) });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(() => new Promise<void>((resolve) => server.close(() => resolve())));

const CKPT = 'tutorial-tf-keras/training_1/cp.ckpt';

test('inspect URL of a checkpoint prefix reads only the index, never the data shard', async () => {
  served.clear();
  const r = await tfsaveAsync(['inspect', `${base}/${CKPT}`]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /tensor-bundle, 15 tensors/);
  const indexSize = statSync(join(FIXTURES, `${CKPT}.index`)).size;
  assert.ok((served.get(`${CKPT}.index`) ?? 0) > 0);
  assert.ok((served.get(`${CKPT}.index`) ?? 0) <= indexSize, 'the index is read at most once');
  assert.equal(served.get(`${CKPT}.data-00000-of-00001`) ?? 0, 0, 'no byte of the data shard');
});

test('inspect --json over HTTP equals inspect --json of the local files', async () => {
  const remote = await tfsaveAsync(['inspect', `${base}/${CKPT}`, '--json']);
  assert.equal(remote.status, 0, remote.stderr);
  assert.deepEqual(JSON.parse(remote.stdout), JSON.parse(tfsave(['inspect', join(FIXTURES, CKPT), '--json']).stdout));
});

test('verify, a SavedModel directory URL, a Keras file URL and a 404 over HTTP', async () => {
  const v = await tfsaveAsync(['verify', `${base}/${CKPT}.index`]);
  assert.equal(v.status, 0, v.stderr);
  const sm = await tfsaveAsync(['inspect', `${base}/tutorial-tf-keras/saved_model/my_model/`]);
  assert.equal(sm.status, 0, sm.stderr);
  assert.match(sm.stdout, /saved-model, /);
  assert.match(sm.stdout, /signature_def\['serving_default'\]/);
  const h5 = await tfsaveAsync(['inspect', `${base}/tutorial-tf-keras/my_model.h5`]);
  assert.equal(h5.status, 0, h5.stderr);
  assert.match(h5.stdout, /: hdf5, /);
  const missing = await tfsaveAsync(['inspect', `${base}/nope/model.ckpt`]);
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /^tfsave inspect: .*not found/);
});
