/**
 * The custom-elements manifest the package ships (dist/custom-elements.json, from the build
 * `npm test` ran before this suite) types every event of `<kurento-room>` as the
 * `CustomEvent` the element dispatches, with the `detail` of `RoomEventDetails`.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
// @ts-expect-error -- a plain ES module without declarations
import { eventDetailTypes } from '../../packages/sdk/custom-elements-manifest.config.mjs';

interface ManifestEvent {
  name: string;
  type?: { text: string };
}

const manifest = JSON.parse(readFileSync('packages/sdk/dist/custom-elements.json', 'utf8'));
const element = manifest.modules
  .flatMap((module: { declarations?: { tagName?: string }[] }) => module.declarations ?? [])
  .find((declaration: { tagName?: string }) => declaration.tagName === 'kurento-room');
const details = eventDetailTypes('packages/sdk/src/element') as Map<string, string>;

test('the manifest lists every event of RoomEventDetails, and no other', () => {
  assert.ok(details.size >= 20, 'RoomEventDetails was found');
  const names = (element.events as ManifestEvent[]).map((event) => event.name).sort();
  assert.deepEqual(names, [...details.keys()].sort());
});

test("each event's type is CustomEvent with its detail", () => {
  for (const event of element.events as ManifestEvent[]) {
    assert.equal(event.type?.text, `CustomEvent<${details.get(event.name)}>`, event.name);
  }
  const byName = new Map(
    (element.events as ManifestEvent[]).map((event) => [event.name, event.type?.text]),
  );
  assert.equal(byName.get('room-error'), 'CustomEvent<{ error: RoomError }>');
  assert.equal(
    byName.get('connection-state-changed'),
    'CustomEvent<{ state: ConnectionState; previous: ConnectionState }>',
  );
});
