/** A SavedModel's `fingerprint.pb` on its own: the five 64-bit hashes, the UUID and the version. */
import { errorsFor } from '@tfsave/core';
import { decodeFingerprint, summarizeFingerprint } from '@tfsave/saved-model';
import type { Opener } from '../context.js';
import type { OpenedFile } from '../model.js';
import { decodeAs, readProtoFile } from './proto-file.js';

const fail = errorsFor('fingerprint');

/** `fingerprint.pb` as `inspect --json` shows it: hashes as decimal strings (they are uint64). */
export interface FingerprintJson {
  readonly saved_model_checksum: string;
  readonly graph_def_program_hash: string;
  readonly signature_def_hash: string;
  readonly saved_object_graph_hash: string;
  readonly checkpoint_hash: string;
  readonly uuid: string;
  readonly version: { producer: number; min_consumer: number; bad_consumers: number[] };
}

/** The fields of a decoded `fingerprint.pb`. */
export function fingerprintJson(fp: ReturnType<typeof decodeFingerprint>): FingerprintJson {
  const s = summarizeFingerprint(fp);
  return {
    saved_model_checksum: s.savedModelChecksum,
    graph_def_program_hash: s.graphDefProgramHash,
    signature_def_hash: s.signatureDefHash,
    saved_object_graph_hash: s.savedObjectGraphHash,
    checkpoint_hash: s.checkpointHash,
    uuid: s.uuid,
    version: { producer: fp.version?.producer ?? 0, min_consumer: fp.version?.min_consumer ?? 0, bad_consumers: [...(fp.version?.bad_consumers ?? [])] },
  };
}

/** The CLI opener for `fingerprint` inputs (`fingerprint.pb`). */
export const openFingerprint: Opener = async (located) => {
  const bytes = await readProtoFile(located);
  const fp = decodeAs('fingerprint', 'a tensorflow.FingerprintDef (SavedModel fingerprint.pb)', bytes, located.display, (b) => decodeFingerprint(b));
  const j = fingerprintJson(fp);
  const file: OpenedFile = {
    format: 'fingerprint',
    name: located.display,
    entries: [],
    entriesTitle: null,
    headline: '5 hashes',
    json: { ...j },
    sections: [
      {
        title: 'Fingerprint (fingerprint.pb)',
        lines: [
          `saved_model_checksum: ${j.saved_model_checksum}`,
          `graph_def_program_hash: ${j.graph_def_program_hash}`,
          `signature_def_hash: ${j.signature_def_hash}`,
          `saved_object_graph_hash: ${j.saved_object_graph_hash}`,
          `checkpoint_hash: ${j.checkpoint_hash}`,
          ...(j.uuid === '' ? [] : [`uuid: ${j.uuid}`]),
          `version: producer ${j.version.producer}, min consumer ${j.version.min_consumer}`,
        ],
      },
    ],
    async verify() {
      if (fp.version === null || fp.version === undefined) throw fail.malformed('tensorflow.FingerprintDef has no version (TensorFlow always writes one)', 'no-version', { path: located.display });
    },
    async close() {},
  };
  return file;
};
