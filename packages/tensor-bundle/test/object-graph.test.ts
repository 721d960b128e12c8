import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { toHex } from '@tfsave/core';
import { buildObjectGraph, OBJECT_GRAPH_KEY, objectKeys, parseObjectGraph, escapeLocalName, type TensorInput } from '../src/index.js';
import { openBundle } from '../src/node/index.js';
import { fixtures } from './helpers.js';
import { tutorialSpec } from './keras-spec.js';

test('the object graph we build for the tutorial model equals, byte for byte, the one tf_keras wrote', async () => {
  const r = await openBundle(join(fixtures, 'tutorial-tf-keras/training_1/cp.ckpt'));
  const stored = ((await r.readTensor(OBJECT_GRAPH_KEY)).data as Uint8Array[])[0]!;
  const t = async (k: string): Promise<TensorInput> => {
    const x = await r.readTensor(k);
    return { dtype: x.dtype, shape: x.shape, data: x.data };
  };
  const a = (p: string) => t(`${p}/.ATTRIBUTES/VARIABLE_VALUE`);
  const slots = await Promise.all([1, 2, 3, 4, 5, 6, 7, 8].map((i) => a(`optimizer/_variables/${i}`)));
  const values = {
    k0: await a('layer_with_weights-0/kernel'), b0: await a('layer_with_weights-0/bias'),
    k1: await a('layer_with_weights-1/kernel'), b1: await a('layer_with_weights-1/bias'),
    iterations: await a('optimizer/_iterations'), learningRate: await a('optimizer/_learning_rate'), slots,
  };
  const built = buildObjectGraph(tutorialSpec(values, true));
  assert.equal(toHex(built.bytes), toHex(stored));
  // data order = node order, as TF's SaveV2 call
  const dataOrder = [...r.rawEntries].sort((x, y) => x.entry.offset - y.entry.offset).map((x) => new TextDecoder().decode(x.key));
  assert.deepEqual([...built.tensors.map((x) => x.key), OBJECT_GRAPH_KEY], dataOrder);
  await r.close();
});

test('slot variables get .OPTIMIZER_SLOT keys and ids after all BFS nodes', () => {
  const v = { attributes: [{ full_name: 'v', value: { dtype: 'float32', shape: [1], data: new Float32Array(1) } }] };
  const slot = { attributes: [{ full_name: 'v/m', value: { dtype: 'float32', shape: [1], data: new Float32Array(1) } }] };
  const opt = { children: [['iter', { attributes: [{ full_name: 'iter', value: { dtype: 'int64', shape: [], data: new BigInt64Array(1) } }] }]] as const, slotVariables: [{ original: v, slotName: 'm', slot }] };
  const g = buildObjectGraph({ children: [['net/w', v], ['optimizer', opt]] });
  assert.deepEqual(g.tensors.map((x) => x.key), [
    'net.Sw/.ATTRIBUTES/VARIABLE_VALUE',
    'optimizer/iter/.ATTRIBUTES/VARIABLE_VALUE',
    'net.Sw/.OPTIMIZER_SLOT/optimizer/m/.ATTRIBUTES/VARIABLE_VALUE',
  ]);
  const nodes = parseObjectGraph(g.bytes);
  assert.equal(nodes.length, 5);
  assert.deepEqual(nodes[2]!.slot_variables, [{ original_variable_node_id: 1, slot_name: 'm', slot_variable_node_id: 4 }]);
  assert.ok(nodes.every((n) => n.has_checkpoint_values === true));
  const keys = objectKeys(nodes);
  assert.deepEqual(keys.find((k) => k.nodeId === 4)?.slot, { name: 'm', variablePath: 'net/w' });
});

test('local names are escaped as TF does', () => {
  assert.equal(escapeLocalName('a.b/c'), 'a..b.Sc');
});

test('a corrupt object graph is a FormatError, never another exception', () => {
  assert.throws(() => parseObjectGraph(new Uint8Array([0x0a, 0x05, 0x0a, 0x02, 0x08, 0x09])), { name: 'FormatError' });
  assert.throws(() => parseObjectGraph(new Uint8Array([0x0a, 0xff])), { name: 'FormatError' });
});
