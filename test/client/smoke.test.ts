import { expect } from '@esm-bundle/chai';
import { parseServerMessage } from '../../src/protocol.js';

it('parses existingParticipants', () => {
  const r = parseServerMessage('{"id":"existingParticipants","data":["a"]}');
  expect(r.ok).to.equal(true);
});
