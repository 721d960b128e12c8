/**
 * The Python checker (tools/check/check.py) is what every interop test trusts, so
 * it is tested on its own: tools/check/selftest.sh builds 25 true expectations from
 * the fixtures (every check kind) and 22 corrupted copies of them (a flipped
 * sha256, a wrong shape, dtype, shard count, latest checkpoint, h5 attribute, model
 * output, .meta of another graph, another fingerprint, a missing .keras member or
 * SavedModel signature…), and requires every true one
 * to pass and every corrupted one to fail.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '@tfsave/core/node';

test('the checker passes every true expectation and fails every corrupted one', () => {
  const r = spawnSync('bash', [join(repoRoot(), 'tools/check/selftest.sh')], { encoding: 'utf8', timeout: 300_000 });
  assert.equal(r.status, 0, `${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`);
  assert.match(r.stdout, /selftest: ok \(25 good cases passed, 22 corrupted cases failed, empty rejected\)/);
});
